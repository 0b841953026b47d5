;; Earshot training kernels in WebAssembly SIMD: the JS loops of fast-batch-norm.ts,
;; gradient-kernels.ts, wasm-avg-pool-grad.ts and SeededDropout, run in place on tensors of the
;; tfjs wasm backend. The module owns no memory: it imports the backend's own ("env" "memory"),
;; and every pointer argument is a byte offset into it (a tensor's memoryOffset or scratch the
;; caller allocated through the backend). Loaded by wasm-train-kernels.ts; embedded by
;; `npm run gen:wasm`.
;;
;; Sums that the JS accumulates in float64 are accumulated here in float64 too (f64x2), in the
;; same order per channel, and float32 products are exact in float64, so batch norm and the
;; depthwise filter gradient give the same bits as the JS. WebAssembly never fuses a*b+c.
;; Counts are in elements. f64 per-channel arrays (acc, mean, k, ...) are 8-byte aligned.
(module
  (import "env" "memory" (memory 1))

  ;; ---- per-row helpers over C contiguous channels (pairs as f64x2, then an odd last one) ----

  ;; acc[c] += f64(x[c])
  (func $row_sum (param $px i32) (param $pa i32) (param $C i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $px) (i32.shl (i32.and (local.get $C) (i32.const -2)) (i32.const 2))))
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $px) (local.get $end)))
      (v128.store (local.get $pa) (f64x2.add (v128.load (local.get $pa)) (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $px)))))
      (local.set $px (i32.add (local.get $px) (i32.const 8)))
      (local.set $pa (i32.add (local.get $pa) (i32.const 16)))
      (br $l)))
    (if (i32.and (local.get $C) (i32.const 1))
      (then (f64.store (local.get $pa) (f64.add (f64.load (local.get $pa)) (f64.promote_f32 (f32.load (local.get $px))))))))

  ;; acc[c] += (f64(x[c]) - mean[c])²
  (func $row_sqdev (param $px i32) (param $pm i32) (param $pa i32) (param $C i32)
    (local $end i32) (local $d v128) (local $s f64)
    (local.set $end (i32.add (local.get $px) (i32.shl (i32.and (local.get $C) (i32.const -2)) (i32.const 2))))
    (block $dn (loop $l
      (br_if $dn (i32.ge_u (local.get $px) (local.get $end)))
      (local.set $d (f64x2.sub (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $px))) (v128.load (local.get $pm))))
      (v128.store (local.get $pa) (f64x2.add (v128.load (local.get $pa)) (f64x2.mul (local.get $d) (local.get $d))))
      (local.set $px (i32.add (local.get $px) (i32.const 8)))
      (local.set $pm (i32.add (local.get $pm) (i32.const 16)))
      (local.set $pa (i32.add (local.get $pa) (i32.const 16)))
      (br $l)))
    (if (i32.and (local.get $C) (i32.const 1))
      (then
        (local.set $s (f64.sub (f64.promote_f32 (f32.load (local.get $px))) (f64.load (local.get $pm))))
        (f64.store (local.get $pa) (f64.add (f64.load (local.get $pa)) (f64.mul (local.get $s) (local.get $s)))))))

  ;; y[c] = f32(f64(x[c])·a[c] + b[c])
  (func $row_affine (param $px i32) (param $pa i32) (param $pb i32) (param $py i32) (param $C i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $px) (i32.shl (i32.and (local.get $C) (i32.const -2)) (i32.const 2))))
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $px) (local.get $end)))
      (v128.store64_lane 0 (local.get $py)
        (f32x4.demote_f64x2_zero
          (f64x2.add (f64x2.mul (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $px))) (v128.load (local.get $pa))) (v128.load (local.get $pb)))))
      (local.set $px (i32.add (local.get $px) (i32.const 8)))
      (local.set $py (i32.add (local.get $py) (i32.const 8)))
      (local.set $pa (i32.add (local.get $pa) (i32.const 16)))
      (local.set $pb (i32.add (local.get $pb) (i32.const 16)))
      (br $l)))
    (if (i32.and (local.get $C) (i32.const 1))
      (then (f32.store (local.get $py)
        (f32.demote_f64 (f64.add (f64.mul (f64.promote_f32 (f32.load (local.get $px))) (f64.load (local.get $pa))) (f64.load (local.get $pb))))))))

  ;; sDy[c] += g; sDyX[c] += g·(f64(x[c]) − mean[c]), g = f64(dy[c])
  (func $row_bwd_sums (param $px i32) (param $pdy i32) (param $pm i32) (param $ps i32) (param $pt i32) (param $C i32)
    (local $end i32) (local $g v128) (local $gs f64)
    (local.set $end (i32.add (local.get $px) (i32.shl (i32.and (local.get $C) (i32.const -2)) (i32.const 2))))
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $px) (local.get $end)))
      (local.set $g (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $pdy))))
      (v128.store (local.get $ps) (f64x2.add (v128.load (local.get $ps)) (local.get $g)))
      (v128.store (local.get $pt) (f64x2.add (v128.load (local.get $pt))
        (f64x2.mul (local.get $g) (f64x2.sub (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $px))) (v128.load (local.get $pm))))))
      (local.set $px (i32.add (local.get $px) (i32.const 8)))
      (local.set $pdy (i32.add (local.get $pdy) (i32.const 8)))
      (local.set $pm (i32.add (local.get $pm) (i32.const 16)))
      (local.set $ps (i32.add (local.get $ps) (i32.const 16)))
      (local.set $pt (i32.add (local.get $pt) (i32.const 16)))
      (br $l)))
    (if (i32.and (local.get $C) (i32.const 1))
      (then
        (local.set $gs (f64.promote_f32 (f32.load (local.get $pdy))))
        (f64.store (local.get $ps) (f64.add (f64.load (local.get $ps)) (local.get $gs)))
        (f64.store (local.get $pt) (f64.add (f64.load (local.get $pt))
          (f64.mul (local.get $gs) (f64.sub (f64.promote_f32 (f32.load (local.get $px))) (f64.load (local.get $pm)))))))))

  ;; dx[c] = f32(k[c]·((dy − mDy[c]) − (x − mean[c])·mX[c])); the four f64 arrays are at $pp + {0,1,2,3}·8C
  (func $row_bn_dx (param $px i32) (param $pdy i32) (param $pp i32) (param $pdx i32) (param $C i32)
    (local $end i32) (local $s i32) (local $s2 i32) (local $s3 i32)
    (local.set $s (i32.shl (local.get $C) (i32.const 3)))
    (local.set $s2 (i32.shl (local.get $C) (i32.const 4)))
    (local.set $s3 (i32.mul (local.get $C) (i32.const 24)))
    (local.set $end (i32.add (local.get $px) (i32.shl (i32.and (local.get $C) (i32.const -2)) (i32.const 2))))
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $px) (local.get $end)))
      (v128.store64_lane 0 (local.get $pdx)
        (f32x4.demote_f64x2_zero
          (f64x2.mul
            (v128.load (i32.add (local.get $pp) (local.get $s)))
            (f64x2.sub
              (f64x2.sub (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $pdy))) (v128.load (i32.add (local.get $pp) (local.get $s2))))
              (f64x2.mul
                (f64x2.sub (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $px))) (v128.load (local.get $pp)))
                (v128.load (i32.add (local.get $pp) (local.get $s3))))))))
      (local.set $px (i32.add (local.get $px) (i32.const 8)))
      (local.set $pdy (i32.add (local.get $pdy) (i32.const 8)))
      (local.set $pdx (i32.add (local.get $pdx) (i32.const 8)))
      (local.set $pp (i32.add (local.get $pp) (i32.const 16)))
      (br $l)))
    (if (i32.and (local.get $C) (i32.const 1))
      (then (f32.store (local.get $pdx)
        (f32.demote_f64
          (f64.mul
            (f64.load (i32.add (local.get $pp) (local.get $s)))
            (f64.sub
              (f64.sub (f64.promote_f32 (f32.load (local.get $pdy))) (f64.load (i32.add (local.get $pp) (local.get $s2))))
              (f64.mul
                (f64.sub (f64.promote_f32 (f32.load (local.get $px))) (f64.load (local.get $pp)))
                (f64.load (i32.add (local.get $pp) (local.get $s3)))))))))))

  ;; acc[c] += f64(x[c])·f64(dy[c])
  (func $row_dot (param $px i32) (param $pdy i32) (param $pa i32) (param $C i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $px) (i32.shl (i32.and (local.get $C) (i32.const -2)) (i32.const 2))))
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $px) (local.get $end)))
      (v128.store (local.get $pa) (f64x2.add (v128.load (local.get $pa))
        (f64x2.mul (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $px))) (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $pdy))))))
      (local.set $px (i32.add (local.get $px) (i32.const 8)))
      (local.set $pdy (i32.add (local.get $pdy) (i32.const 8)))
      (local.set $pa (i32.add (local.get $pa) (i32.const 16)))
      (br $l)))
    (if (i32.and (local.get $C) (i32.const 1))
      (then (f64.store (local.get $pa) (f64.add (f64.load (local.get $pa))
        (f64.mul (f64.promote_f32 (f32.load (local.get $px))) (f64.promote_f32 (f32.load (local.get $pdy)))))))))

  ;; dst[c] += src[c] (float32, 4 at a time)
  (func $row_add_f32 (param $ps i32) (param $pd i32) (param $C i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $ps) (i32.shl (i32.and (local.get $C) (i32.const -4)) (i32.const 2))))
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $ps) (local.get $end)))
      (v128.store (local.get $pd) (f32x4.add (v128.load (local.get $pd)) (v128.load (local.get $ps))))
      (local.set $ps (i32.add (local.get $ps) (i32.const 16)))
      (local.set $pd (i32.add (local.get $pd) (i32.const 16)))
      (br $l)))
    (local.set $end (i32.add (local.get $end) (i32.shl (i32.and (local.get $C) (i32.const 3)) (i32.const 2))))
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $ps) (local.get $end)))
      (f32.store (local.get $pd) (f32.add (f32.load (local.get $pd)) (f32.load (local.get $ps))))
      (local.set $ps (i32.add (local.get $ps) (i32.const 4)))
      (local.set $pd (i32.add (local.get $pd) (i32.const 4)))
      (br $l))))

  ;; ---- batch norm over a [rows, C] float32 matrix ----

  ;; acc[c] += Σ_r x[r, c], rows in order
  (func (export "bn_sum") (param $x i32) (param $rows i32) (param $C i32) (param $acc i32)
    (local $end i32) (local $stride i32)
    (local.set $stride (i32.shl (local.get $C) (i32.const 2)))
    (local.set $end (i32.add (local.get $x) (i32.mul (local.get $rows) (local.get $stride))))
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $x) (local.get $end)))
      (call $row_sum (local.get $x) (local.get $acc) (local.get $C))
      (local.set $x (i32.add (local.get $x) (local.get $stride)))
      (br $l))))

  ;; acc[c] += Σ_r (x[r, c] − mean[c])²
  (func (export "bn_sqdev") (param $x i32) (param $rows i32) (param $C i32) (param $mean i32) (param $acc i32)
    (local $end i32) (local $stride i32)
    (local.set $stride (i32.shl (local.get $C) (i32.const 2)))
    (local.set $end (i32.add (local.get $x) (i32.mul (local.get $rows) (local.get $stride))))
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $x) (local.get $end)))
      (call $row_sqdev (local.get $x) (local.get $mean) (local.get $acc) (local.get $C))
      (local.set $x (i32.add (local.get $x) (local.get $stride)))
      (br $l))))

  ;; y[r, c] = x[r, c]·a[c] + b[c] in float64, stored as float32
  (func (export "bn_affine") (param $x i32) (param $rows i32) (param $C i32) (param $a i32) (param $b i32) (param $y i32)
    (local $end i32) (local $stride i32)
    (local.set $stride (i32.shl (local.get $C) (i32.const 2)))
    (local.set $end (i32.add (local.get $x) (i32.mul (local.get $rows) (local.get $stride))))
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $x) (local.get $end)))
      (call $row_affine (local.get $x) (local.get $a) (local.get $b) (local.get $y) (local.get $C))
      (local.set $x (i32.add (local.get $x) (local.get $stride)))
      (local.set $y (i32.add (local.get $y) (local.get $stride)))
      (br $l))))

  ;; sDy[c] += Σ_r dy; sDyX[c] += Σ_r dy·(x − mean[c])
  (func (export "bn_bwd_sums") (param $x i32) (param $dy i32) (param $rows i32) (param $C i32) (param $mean i32) (param $sDy i32) (param $sDyX i32)
    (local $end i32) (local $stride i32)
    (local.set $stride (i32.shl (local.get $C) (i32.const 2)))
    (local.set $end (i32.add (local.get $x) (i32.mul (local.get $rows) (local.get $stride))))
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $x) (local.get $end)))
      (call $row_bwd_sums (local.get $x) (local.get $dy) (local.get $mean) (local.get $sDy) (local.get $sDyX) (local.get $C))
      (local.set $x (i32.add (local.get $x) (local.get $stride)))
      (local.set $dy (i32.add (local.get $dy) (local.get $stride)))
      (br $l))))

  ;; dx = k·((dy − mDy) − (x − mean)·mX) per channel; params = [mean | k | mDy | mX], C f64 each
  (func (export "bn_dx") (param $x i32) (param $dy i32) (param $rows i32) (param $C i32) (param $params i32) (param $dx i32)
    (local $end i32) (local $stride i32)
    (local.set $stride (i32.shl (local.get $C) (i32.const 2)))
    (local.set $end (i32.add (local.get $x) (i32.mul (local.get $rows) (local.get $stride))))
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $x) (local.get $end)))
      (call $row_bn_dx (local.get $x) (local.get $dy) (local.get $params) (local.get $dx) (local.get $C))
      (local.set $x (i32.add (local.get $x) (local.get $stride)))
      (local.set $dy (i32.add (local.get $dy) (local.get $stride)))
      (local.set $dx (i32.add (local.get $dx) (local.get $stride)))
      (br $l))))

  ;; ---- depthwise filter gradient, depth multiplier 1, one filter tap ----
  ;; acc[c] += Σ x[b, yR·sH + xR0, yC·sW + xC0, c]·dy[b, yR, yC, c] over b, the rows yR whose input
  ;; row is inside, and yC in [c0, c1) (the caller's range of columns inside the input).
  (func (export "dw_filter_tap")
    (param $x i32) (param $dy i32) (param $acc i32) (param $batch i32) (param $inH i32) (param $inW i32) (param $C i32)
    (param $outH i32) (param $outW i32) (param $sH i32) (param $sW i32) (param $xR0 i32) (param $xC0 i32) (param $c0 i32) (param $c1 i32)
    (local $b i32) (local $yR i32) (local $xR i32) (local $yC i32) (local $px i32) (local $pdy i32) (local $xstep i32) (local $cb i32)
    (local.set $cb (i32.shl (local.get $C) (i32.const 2)))
    (local.set $xstep (i32.mul (local.get $sW) (local.get $cb)))
    (block $db (loop $lb
      (br_if $db (i32.ge_u (local.get $b) (local.get $batch)))
      (local.set $yR (i32.const 0))
      (block $dr (loop $lr
        (br_if $dr (i32.ge_u (local.get $yR) (local.get $outH)))
        (local.set $xR (i32.add (i32.mul (local.get $yR) (local.get $sH)) (local.get $xR0)))
        (if (i32.and (i32.ge_s (local.get $xR) (i32.const 0)) (i32.lt_s (local.get $xR) (local.get $inH)))
          (then
            (local.set $px (i32.add (local.get $x) (i32.mul (local.get $cb)
              (i32.add (i32.add (i32.mul (i32.add (i32.mul (local.get $b) (local.get $inH)) (local.get $xR)) (local.get $inW)) (local.get $xC0))
                (i32.mul (local.get $c0) (local.get $sW))))))
            (local.set $pdy (i32.add (local.get $dy) (i32.mul (local.get $cb)
              (i32.add (i32.mul (i32.add (i32.mul (local.get $b) (local.get $outH)) (local.get $yR)) (local.get $outW)) (local.get $c0)))))
            (local.set $yC (local.get $c0))
            (block $dc (loop $lc
              (br_if $dc (i32.ge_s (local.get $yC) (local.get $c1)))
              (call $row_dot (local.get $px) (local.get $pdy) (local.get $acc) (local.get $C))
              (local.set $px (i32.add (local.get $px) (local.get $xstep)))
              (local.set $pdy (i32.add (local.get $pdy) (local.get $cb)))
              (local.set $yC (i32.add (local.get $yC) (i32.const 1)))
              (br $lc)))))
        (local.set $yR (i32.add (local.get $yR) (i32.const 1)))
        (br $lr)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $lb))))

  ;; out[c] = f32(acc[c]) for n values
  (func (export "f64_to_f32") (param $acc i32) (param $out i32) (param $n i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $out) (i32.shl (local.get $n) (i32.const 2))))
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $out) (local.get $end)))
      (f32.store (local.get $out) (f32.demote_f64 (f64.load (local.get $acc))))
      (local.set $out (i32.add (local.get $out) (i32.const 4)))
      (local.set $acc (i32.add (local.get $acc) (i32.const 8)))
      (br $l))))

  ;; ---- seeded dropout: y = x·mask, mask from mulberry32 (prng.ts) started at state $a0 ----
  ;; Element i draws u_i from state a0 + (i+1)·0x6d2b79f5 (mulberry32's state is a counter), and
  ;; is dropped when u_i / 2³² < rate, i.e. u_i ≤ $thr (unsigned) with thr = ceil(rate·2³²) − 1.
  (func (export "dropout") (param $x i32) (param $y i32) (param $n i32) (param $a0 i32) (param $thr i32) (param $keep f32)
    (local $i i32) (local $n4 i32) (local $a v128) (local $t v128) (local $u v128) (local $kv v128) (local $tv v128)
    (local $as i32) (local $ts i32) (local $us i32)
    (local.set $n4 (i32.and (local.get $n) (i32.const -4)))
    (local.set $a (i32x4.add (i32x4.splat (local.get $a0))
      (i32x4.mul (i32x4.splat (i32.const 0x6d2b79f5)) (v128.const i32x4 1 2 3 4))))
    (local.set $kv (f32x4.splat (local.get $keep)))
    (local.set $tv (i32x4.splat (local.get $thr)))
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $i) (local.get $n4)))
      (local.set $t (local.get $a))
      (local.set $t (i32x4.mul (v128.xor (local.get $t) (i32x4.shr_u (local.get $t) (i32.const 15))) (v128.or (local.get $t) (i32x4.splat (i32.const 1)))))
      (local.set $t (v128.xor (local.get $t)
        (i32x4.add (local.get $t) (i32x4.mul (v128.xor (local.get $t) (i32x4.shr_u (local.get $t) (i32.const 7))) (v128.or (local.get $t) (i32x4.splat (i32.const 61)))))))
      (local.set $u (v128.xor (local.get $t) (i32x4.shr_u (local.get $t) (i32.const 14))))
      (v128.store (local.get $y)
        (f32x4.mul (v128.load (local.get $x)) (v128.andnot (local.get $kv) (i32x4.le_u (local.get $u) (local.get $tv)))))
      (local.set $a (i32x4.add (local.get $a) (i32x4.splat (i32.const 0xb4ade7d4)))) ;; 4·0x6d2b79f5 mod 2³²
      (local.set $x (i32.add (local.get $x) (i32.const 16)))
      (local.set $y (i32.add (local.get $y) (i32.const 16)))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $l)))
    (local.set $as (i32.add (local.get $a0) (i32.mul (local.get $i) (i32.const 0x6d2b79f5))))
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $as (i32.add (local.get $as) (i32.const 0x6d2b79f5)))
      (local.set $ts (local.get $as))
      (local.set $ts (i32.mul (i32.xor (local.get $ts) (i32.shr_u (local.get $ts) (i32.const 15))) (i32.or (local.get $ts) (i32.const 1))))
      (local.set $ts (i32.xor (local.get $ts)
        (i32.add (local.get $ts) (i32.mul (i32.xor (local.get $ts) (i32.shr_u (local.get $ts) (i32.const 7))) (i32.or (local.get $ts) (i32.const 61))))))
      (local.set $us (i32.xor (local.get $ts) (i32.shr_u (local.get $ts) (i32.const 14))))
      (f32.store (local.get $y)
        (f32.mul (f32.load (local.get $x)) (select (f32.const 0) (local.get $keep) (i32.le_u (local.get $us) (local.get $thr)))))
      (local.set $x (i32.add (local.get $x) (i32.const 4)))
      (local.set $y (i32.add (local.get $y) (i32.const 4)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l))))

  ;; ---- avgPool gradient (NHWC): dx[window cells] += dy, then dx = f32(f64(dx)·scale) ----
  (func (export "avg_pool_grad")
    (param $dy i32) (param $dx i32) (param $batch i32) (param $inH i32) (param $inW i32) (param $C i32) (param $outH i32) (param $outW i32)
    (param $fH i32) (param $fW i32) (param $sH i32) (param $sW i32) (param $top i32) (param $left i32) (param $scale f64)
    (local $b i32) (local $yR i32) (local $yC i32) (local $r i32) (local $c i32) (local $r0 i32) (local $r1 i32) (local $c0 i32) (local $c1 i32)
    (local $cb i32) (local $pdy i32) (local $p i32) (local $end i32)
    (local.set $cb (i32.shl (local.get $C) (i32.const 2)))
    (memory.fill (local.get $dx) (i32.const 0) (i32.mul (i32.mul (i32.mul (local.get $batch) (local.get $inH)) (local.get $inW)) (local.get $cb)))
    (local.set $pdy (local.get $dy))
    (block $db (loop $lb
      (br_if $db (i32.ge_u (local.get $b) (local.get $batch)))
      (local.set $yR (i32.const 0))
      (block $dr (loop $lr
        (br_if $dr (i32.ge_u (local.get $yR) (local.get $outH)))
        (local.set $r0 (i32.sub (i32.mul (local.get $yR) (local.get $sH)) (local.get $top)))
        (local.set $r1 (i32.add (local.get $r0) (local.get $fH)))
        (if (i32.lt_s (local.get $r0) (i32.const 0)) (then (local.set $r0 (i32.const 0))))
        (if (i32.gt_s (local.get $r1) (local.get $inH)) (then (local.set $r1 (local.get $inH))))
        (local.set $yC (i32.const 0))
        (block $dc (loop $lc
          (br_if $dc (i32.ge_u (local.get $yC) (local.get $outW)))
          (local.set $c0 (i32.sub (i32.mul (local.get $yC) (local.get $sW)) (local.get $left)))
          (local.set $c1 (i32.add (local.get $c0) (local.get $fW)))
          (if (i32.lt_s (local.get $c0) (i32.const 0)) (then (local.set $c0 (i32.const 0))))
          (if (i32.gt_s (local.get $c1) (local.get $inW)) (then (local.set $c1 (local.get $inW))))
          (local.set $r (local.get $r0))
          (block $dwr (loop $lwr
            (br_if $dwr (i32.ge_s (local.get $r) (local.get $r1)))
            (local.set $c (local.get $c0))
            (block $dwc (loop $lwc
              (br_if $dwc (i32.ge_s (local.get $c) (local.get $c1)))
              (call $row_add_f32 (local.get $pdy)
                (i32.add (local.get $dx) (i32.mul (local.get $cb)
                  (i32.add (i32.mul (i32.add (i32.mul (local.get $b) (local.get $inH)) (local.get $r)) (local.get $inW)) (local.get $c))))
                (local.get $C))
              (local.set $c (i32.add (local.get $c) (i32.const 1)))
              (br $lwc)))
            (local.set $r (i32.add (local.get $r) (i32.const 1)))
            (br $lwr)))
          (local.set $pdy (i32.add (local.get $pdy) (local.get $cb)))
          (local.set $yC (i32.add (local.get $yC) (i32.const 1)))
          (br $lc)))
        (local.set $yR (i32.add (local.get $yR) (i32.const 1)))
        (br $lr)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $lb)))
    (local.set $p (local.get $dx))
    (local.set $end (i32.add (local.get $dx) (i32.mul (i32.mul (i32.mul (local.get $batch) (local.get $inH)) (local.get $inW)) (local.get $cb))))
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $p) (local.get $end)))
      (f32.store (local.get $p) (f32.demote_f64 (f64.mul (f64.promote_f32 (f32.load (local.get $p))) (local.get $scale))))
      (local.set $p (i32.add (local.get $p) (i32.const 4)))
      (br $l))))

  ;; ---- dst[c, r] = src[r, c] for a [rows, cols] float32 matrix, 4×4 blocks ----
  (func (export "transpose") (param $src i32) (param $rows i32) (param $cols i32) (param $dst i32)
    (local $r i32) (local $c i32) (local $r4 i32) (local $c4 i32) (local $rb i32) (local $cb i32)
    (local $a v128) (local $b v128) (local $e v128) (local $f v128) (local $s i32) (local $d i32) (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local.set $r4 (i32.and (local.get $rows) (i32.const -4)))
    (local.set $c4 (i32.and (local.get $cols) (i32.const -4)))
    (local.set $rb (i32.shl (local.get $rows) (i32.const 2)))
    (local.set $cb (i32.shl (local.get $cols) (i32.const 2)))
    (block $dr (loop $lr
      (br_if $dr (i32.ge_u (local.get $r) (local.get $r4)))
      (local.set $c (i32.const 0))
      (block $dc (loop $lc
        (br_if $dc (i32.ge_u (local.get $c) (local.get $c4)))
        (local.set $s (i32.add (local.get $src) (i32.shl (i32.add (i32.mul (local.get $r) (local.get $cols)) (local.get $c)) (i32.const 2))))
        (local.set $a (v128.load (local.get $s)))
        (local.set $b (v128.load (i32.add (local.get $s) (local.get $cb))))
        (local.set $e (v128.load (i32.add (local.get $s) (i32.shl (local.get $cb) (i32.const 1)))))
        (local.set $f (v128.load (i32.add (local.get $s) (i32.mul (local.get $cb) (i32.const 3)))))
        ;; t0 = a0 b0 a1 b1, t1 = a2 b2 a3 b3, t2 = e0 f0 e1 f1, t3 = e2 f2 e3 f3
        (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $a) (local.get $b)))
        (local.set $t1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $a) (local.get $b)))
        (local.set $t2 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $e) (local.get $f)))
        (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $e) (local.get $f)))
        (local.set $d (i32.add (local.get $dst) (i32.shl (i32.add (i32.mul (local.get $c) (local.get $rows)) (local.get $r)) (i32.const 2))))
        (v128.store (local.get $d) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t2)))
        (v128.store (i32.add (local.get $d) (local.get $rb)) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t2)))
        (v128.store (i32.add (local.get $d) (i32.shl (local.get $rb) (i32.const 1))) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t1) (local.get $t3)))
        (v128.store (i32.add (local.get $d) (i32.mul (local.get $rb) (i32.const 3))) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t1) (local.get $t3)))
        (local.set $c (i32.add (local.get $c) (i32.const 4)))
        (br $lc)))
      ;; the last cols % 4 columns of these four rows
      (block $dt (loop $lt
        (br_if $dt (i32.ge_u (local.get $c) (local.get $cols)))
        (local.set $s (i32.add (local.get $src) (i32.shl (i32.add (i32.mul (local.get $r) (local.get $cols)) (local.get $c)) (i32.const 2))))
        (local.set $d (i32.add (local.get $dst) (i32.shl (i32.add (i32.mul (local.get $c) (local.get $rows)) (local.get $r)) (i32.const 2))))
        (f32.store (local.get $d) (f32.load (local.get $s)))
        (f32.store offset=4 (local.get $d) (f32.load (i32.add (local.get $s) (local.get $cb))))
        (f32.store offset=8 (local.get $d) (f32.load (i32.add (local.get $s) (i32.shl (local.get $cb) (i32.const 1)))))
        (f32.store offset=12 (local.get $d) (f32.load (i32.add (local.get $s) (i32.mul (local.get $cb) (i32.const 3)))))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $lt)))
      (local.set $r (i32.add (local.get $r) (i32.const 4)))
      (br $lr)))
    ;; the last rows % 4 rows
    (block $dr (loop $lr
      (br_if $dr (i32.ge_u (local.get $r) (local.get $rows)))
      (local.set $c (i32.const 0))
      (block $dc (loop $lc
        (br_if $dc (i32.ge_u (local.get $c) (local.get $cols)))
        (f32.store (i32.add (local.get $dst) (i32.shl (i32.add (i32.mul (local.get $c) (local.get $rows)) (local.get $r)) (i32.const 2)))
          (f32.load (i32.add (local.get $src) (i32.shl (i32.add (i32.mul (local.get $r) (local.get $cols)) (local.get $c)) (i32.const 2)))))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $lc)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $lr))))

  ;; ---- transposed im2col: cols[(wR, wC, ci), (b, yR, yC)] = x[b, yR·sH − pT + wR, yC·sW − pL + wC, ci] or 0 ----
  (func (export "im2col_t")
    (param $x i32) (param $cols i32) (param $batch i32) (param $inH i32) (param $inW i32) (param $inC i32) (param $outH i32) (param $outW i32)
    (param $kH i32) (param $kW i32) (param $sH i32) (param $sW i32) (param $pT i32) (param $pL i32)
    (local $wR i32) (local $wC i32) (local $ci i32) (local $b i32) (local $yR i32) (local $yC i32) (local $xR i32) (local $xC i32)
    (local $p i32) (local $rowBase i32) (local $v f32)
    (local.set $p (local.get $cols))
    (block $d1 (loop $l1
      (br_if $d1 (i32.ge_u (local.get $wR) (local.get $kH)))
      (local.set $wC (i32.const 0))
      (block $d2 (loop $l2
        (br_if $d2 (i32.ge_u (local.get $wC) (local.get $kW)))
        (local.set $ci (i32.const 0))
        (block $d3 (loop $l3
          (br_if $d3 (i32.ge_u (local.get $ci) (local.get $inC)))
          (local.set $b (i32.const 0))
          (block $d4 (loop $l4
            (br_if $d4 (i32.ge_u (local.get $b) (local.get $batch)))
            (local.set $yR (i32.const 0))
            (block $d5 (loop $l5
              (br_if $d5 (i32.ge_u (local.get $yR) (local.get $outH)))
              (local.set $xR (i32.add (i32.sub (i32.mul (local.get $yR) (local.get $sH)) (local.get $pT)) (local.get $wR)))
              (if (i32.and (i32.ge_s (local.get $xR) (i32.const 0)) (i32.lt_s (local.get $xR) (local.get $inH)))
                (then
                  (local.set $rowBase (i32.mul (i32.add (i32.mul (local.get $b) (local.get $inH)) (local.get $xR)) (local.get $inW)))
                  (local.set $yC (i32.const 0))
                  (block $d6 (loop $l6
                    (br_if $d6 (i32.ge_u (local.get $yC) (local.get $outW)))
                    (local.set $xC (i32.add (i32.sub (i32.mul (local.get $yC) (local.get $sW)) (local.get $pL)) (local.get $wC)))
                    (local.set $v (f32.const 0))
                    (if (i32.and (i32.ge_s (local.get $xC) (i32.const 0)) (i32.lt_s (local.get $xC) (local.get $inW)))
                      (then (local.set $v (f32.load (i32.add (local.get $x)
                        (i32.shl (i32.add (i32.mul (i32.add (local.get $rowBase) (local.get $xC)) (local.get $inC)) (local.get $ci)) (i32.const 2)))))))
                    (f32.store (local.get $p) (local.get $v))
                    (local.set $p (i32.add (local.get $p) (i32.const 4)))
                    (local.set $yC (i32.add (local.get $yC) (i32.const 1)))
                    (br $l6))))
                (else
                  (memory.fill (local.get $p) (i32.const 0) (i32.shl (local.get $outW) (i32.const 2)))
                  (local.set $p (i32.add (local.get $p) (i32.shl (local.get $outW) (i32.const 2))))))
              (local.set $yR (i32.add (local.get $yR) (i32.const 1)))
              (br $l5)))
            (local.set $b (i32.add (local.get $b) (i32.const 1)))
            (br $l4)))
          (local.set $ci (i32.add (local.get $ci) (i32.const 1)))
          (br $l3)))
        (local.set $wC (i32.add (local.get $wC) (i32.const 1)))
        (br $l2)))
      (local.set $wR (i32.add (local.get $wR) (i32.const 1)))
      (br $l1))))

  ;; ---- col2im: dx[b, xR, xC, :] += cols[p, (wR, wC, :)] over the windows reading (xR, xC), float32 in col2im's order ----
  (func (export "col2im")
    (param $cols i32) (param $dx i32) (param $batch i32) (param $inH i32) (param $inW i32) (param $inC i32) (param $outH i32) (param $outW i32)
    (param $kH i32) (param $kW i32) (param $sH i32) (param $sW i32) (param $pT i32) (param $pL i32)
    (local $b i32) (local $yR i32) (local $yC i32) (local $wR i32) (local $wC i32) (local $xR i32) (local $xC i32) (local $src i32) (local $cb i32)
    (local.set $cb (i32.shl (local.get $inC) (i32.const 2)))
    (memory.fill (local.get $dx) (i32.const 0) (i32.mul (i32.mul (i32.mul (local.get $batch) (local.get $inH)) (local.get $inW)) (local.get $cb)))
    (local.set $src (local.get $cols))
    (block $d1 (loop $l1
      (br_if $d1 (i32.ge_u (local.get $b) (local.get $batch)))
      (local.set $yR (i32.const 0))
      (block $d2 (loop $l2
        (br_if $d2 (i32.ge_u (local.get $yR) (local.get $outH)))
        (local.set $yC (i32.const 0))
        (block $d3 (loop $l3
          (br_if $d3 (i32.ge_u (local.get $yC) (local.get $outW)))
          (local.set $wR (i32.const 0))
          (block $d4 (loop $l4
            (br_if $d4 (i32.ge_u (local.get $wR) (local.get $kH)))
            (local.set $xR (i32.add (i32.sub (i32.mul (local.get $yR) (local.get $sH)) (local.get $pT)) (local.get $wR)))
            (local.set $wC (i32.const 0))
            (block $d5 (loop $l5
              (br_if $d5 (i32.ge_u (local.get $wC) (local.get $kW)))
              (local.set $xC (i32.add (i32.sub (i32.mul (local.get $yC) (local.get $sW)) (local.get $pL)) (local.get $wC)))
              (if (i32.and
                    (i32.and (i32.ge_s (local.get $xR) (i32.const 0)) (i32.lt_s (local.get $xR) (local.get $inH)))
                    (i32.and (i32.ge_s (local.get $xC) (i32.const 0)) (i32.lt_s (local.get $xC) (local.get $inW))))
                (then (call $row_add_f32 (local.get $src)
                  (i32.add (local.get $dx) (i32.mul (local.get $cb)
                    (i32.add (i32.mul (i32.add (i32.mul (local.get $b) (local.get $inH)) (local.get $xR)) (local.get $inW)) (local.get $xC))))
                  (local.get $inC))))
              (local.set $src (i32.add (local.get $src) (local.get $cb)))
              (local.set $wC (i32.add (local.get $wC) (i32.const 1)))
              (br $l5)))
            (local.set $wR (i32.add (local.get $wR) (i32.const 1)))
            (br $l4)))
          (local.set $yC (i32.add (local.get $yC) (i32.const 1)))
          (br $l3)))
        (local.set $yR (i32.add (local.get $yR) (i32.const 1)))
        (br $l2)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $l1))))
)
