#!/usr/bin/env python3
"""Independent float64 reference for Earshot's log-mel features, and its golden fixtures.

Implements the definition of src/core/dsp/log-mel.ts from scratch with numpy (numpy's own
real FFT, a dense HTK mel matrix) in float64, for a set of clips, and writes
tests/reference/logmel-fixtures.json. The TypeScript unit test compares against it
(max abs error in the log domain); the C test compares C with TypeScript exactly.

Definition (per frame f, frame start f*hop):
  x = pcm / 32768;  y = x[start:start+window] * hann_periodic(window), zero-padded to fft_size
  P = |rfft(y)|^2;  E = M @ P  (M: triangular HTK-mel filters, peak 1, Hz-linear slopes,
  mel_bands + 2 points equally spaced in mel between f_min and f_max)
  out = ln(max(E, log_floor))
  then, when asked: out = max(out, max(out) - relativeFloorDb * ln(10) / 10); out -= mean over frames per band

Clips: synthetic ones are generated here at each config's rate; the spoken words are WAVs
made once with espeak-ng + sox (tests/fixtures/audio/*.wav, committed) and centred in the
clip window (left pad floor((n_target - n)/2), as fitClip does).

Run from the repository root:  python3 tests/reference/logmel_reference.py
Arrays are stored little-endian, zlib-compressed, base64 (int16 PCM, float32 log-mel).
"""
import base64
import json
import os
import subprocess
import sys
import wave
import zlib

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
AUDIO_DIR = os.path.join(ROOT, "tests", "fixtures", "audio")
OUT = os.path.join(ROOT, "tests", "reference", "logmel-fixtures.json")

# The app's feature presets (src/core/dsp/feature-presets.ts), written out here as numbers so the
# reference does not read app code, plus "narrow": an odd config (25 ms at 8 kHz, 32 bands), and
# "floor-only": the relative floor without band mean removal.
CONFIGS = {
    "earshot": dict(version=1, sampleRateHz=16000, clipMs=1000, windowMs=30, hopMs=20, fftSize=512,
                    melBands=40, fMinHz=20, fMaxHz=8000, logFloor=1e-6),
    "micro-speech": dict(version=1, sampleRateHz=16000, clipMs=1000, windowMs=30, hopMs=20, fftSize=512,
                         melBands=40, fMinHz=125, fMaxHz=7500, logFloor=1e-6),
    "edge-impulse-mfe": dict(version=1, sampleRateHz=16000, clipMs=1000, windowMs=20, hopMs=10, fftSize=512,
                             melBands=40, fMinHz=0, fMaxHz=8000, logFloor=1e-6),
    "low-power-8k": dict(version=1, sampleRateHz=8000, clipMs=1000, windowMs=32, hopMs=32, fftSize=256,
                         melBands=20, fMinHz=60, fMaxHz=4000, logFloor=1e-6),
    "speech-8k": dict(version=1, sampleRateHz=8000, clipMs=750, windowMs=32, hopMs=24, fftSize=256,
                      melBands=32, fMinHz=60, fMaxHz=4000, logFloor=1e-6, relativeFloorDb=60, bandMeanRemoval=1),
    "narrow": dict(version=1, sampleRateHz=8000, clipMs=1000, windowMs=25, hopMs=10, fftSize=256,
                   melBands=32, fMinHz=60, fMaxHz=3800, logFloor=1e-5),
    "floor-only": dict(version=1, sampleRateHz=8000, clipMs=1000, windowMs=25, hopMs=10, fftSize=256,
                       melBands=32, fMinHz=60, fMaxHz=3800, logFloor=1e-5, relativeFloorDb=35, bandMeanRemoval=0),
}

# Fields added to FeatureConfig later are off unless a config sets them.
for _c in CONFIGS.values():
    _c.setdefault("relativeFloorDb", 0)
    _c.setdefault("bandMeanRemoval", 0)

# Spoken words (espeak-ng voice per word), the "real" clips.
WORDS = {"yes": "en", "no": "en", "up": "en-us", "down": "en-us", "left": "en+f3", "right": "en+m3", "stop": "en-us+f2", "go": "en"}


def shape(c):
    n = round(c["sampleRateHz"] * c["clipMs"] / 1000)
    win = round(c["sampleRateHz"] * c["windowMs"] / 1000)
    hop = round(c["sampleRateHz"] * c["hopMs"] / 1000)
    frames = 1 + (n - win) // hop
    return n, win, hop, frames


def hz_to_mel(hz):
    return 2595.0 * np.log10(1.0 + hz / 700.0)


def mel_to_hz(mel):
    return 700.0 * (10.0 ** (mel / 2595.0) - 1.0)


def mel_matrix(c):
    bins = c["fftSize"] // 2 + 1
    freqs = np.arange(bins) * c["sampleRateHz"] / c["fftSize"]
    pts = mel_to_hz(np.linspace(hz_to_mel(c["fMinHz"]), hz_to_mel(c["fMaxHz"]), c["melBands"] + 2))
    lo, centre, hi = pts[:-2, None], pts[1:-1, None], pts[2:, None]
    rising = (freqs[None, :] - lo) / (centre - lo)
    falling = (hi - freqs[None, :]) / (hi - centre)
    return np.maximum(0.0, np.minimum(rising, falling))


def log_mel(pcm, c):
    n, win, hop, frames = shape(c)
    assert pcm.dtype == np.int16 and pcm.shape == (n,)
    x = pcm.astype(np.float64) / 32768.0
    window = 0.5 - 0.5 * np.cos(2.0 * np.pi * np.arange(win) / win)
    idx = np.arange(frames)[:, None] * hop + np.arange(win)[None, :]
    spec = np.fft.rfft(x[idx] * window[None, :], n=c["fftSize"], axis=1)
    power = spec.real ** 2 + spec.imag ** 2
    energy = power @ mel_matrix(c).T
    out = np.log(np.maximum(energy, c["logFloor"]))
    # Per-clip normalisation: a floor relativeFloorDb below the clip's loudest value (dB of power:
    # 10 log10 P = (10 / ln 10) ln P), then each band's mean over the frames removed.
    if c.get("relativeFloorDb", 0) > 0:
        out = np.maximum(out, out.max() - c["relativeFloorDb"] * np.log(10.0) / 10.0)
    if c.get("bandMeanRemoval", 0) == 1:
        out = out - out.mean(axis=0, keepdims=True)
    return out


def to_pcm16(x):
    return np.clip(np.floor(np.asarray(x, dtype=np.float64) * 32768.0 + 0.5), -32768, 32767).astype(np.int16)


def synthetic(name, c):
    rate = c["sampleRateHz"]
    n = shape(c)[0]
    t = np.arange(n) / rate
    if name == "silence":
        return np.zeros(n, dtype=np.int16)
    if name == "sine-full-scale":
        return to_pcm16(np.sin(2 * np.pi * 1000.0 * t))  # +1.0 clamps to 32767
    if name == "sine-quiet":
        return to_pcm16(0.002 * np.sin(2 * np.pi * 440.0 * t))
    if name == "chirp":
        f0, f1 = 100.0, 0.45 * rate
        phase = 2 * np.pi * (f0 * t + (f1 - f0) * t * t / (2 * t[-1]))
        return to_pcm16(0.5 * np.sin(phase))
    if name == "white-noise":
        rng = np.random.default_rng(20261121)
        return to_pcm16(np.clip(rng.normal(0.0, 0.25, n), -1.0, 1.0))
    if name == "clicks":
        x = np.zeros(n)
        x[rate // 20 :: rate // 10] = 0.9
        x[rate // 20 + 7 :: rate // 10] = -0.6
        return to_pcm16(x)
    if name == "dc-square":
        return to_pcm16(0.1 + 0.3 * np.sign(np.sin(2 * np.pi * 250.0 * t)))
    if name == "two-tones":
        return to_pcm16(0.3 * np.sin(2 * np.pi * 300.0 * t) + 0.2 * np.sin(2 * np.pi * 3000.0 * t * rate / 16000))
    if name == "impulse":
        x = np.zeros(n)
        x[n // 2] = 0.99
        return to_pcm16(x)
    if name == "am-tone":
        return to_pcm16(0.4 * (0.5 + 0.5 * np.sin(2 * np.pi * 3.0 * t)) * np.sin(2 * np.pi * 1500.0 * t))
    if name == "brown-noise":
        rng = np.random.default_rng(7)
        x = np.cumsum(rng.normal(0.0, 1.0, n))
        x = x - np.linspace(x[0], x[-1], n)
        return to_pcm16(0.5 * x / np.max(np.abs(x)))
    if name == "square-clipped":
        return to_pcm16(1.2 * np.sign(np.sin(2 * np.pi * 1000.0 * t + 0.1)))
    if name == "tone-bursts":
        gate = (np.floor(t * 8) % 2 == 0).astype(np.float64)
        return to_pcm16(0.7 * gate * np.sin(2 * np.pi * 2000.0 * t * rate / 16000))
    raise ValueError(name)


SYNTHETIC = ["silence", "sine-full-scale", "sine-quiet", "chirp", "white-noise", "clicks", "dc-square",
             "two-tones", "impulse", "am-tone", "brown-noise", "square-clipped", "tone-bursts"]


def word_wav(word, rate):
    path = os.path.join(AUDIO_DIR, f"{word}-{rate // 1000}k.wav")
    if not os.path.exists(path):
        os.makedirs(AUDIO_DIR, exist_ok=True)
        raw = path + ".espeak.wav"
        subprocess.run(["espeak-ng", "-v", WORDS[word], "-w", raw, word], check=True)
        subprocess.run(["sox", "-R", raw, "-r", str(rate), "-b", "16", "-c", "1", path], check=True)
        os.remove(raw)
    return path


def read_wav_pcm16(path):
    with wave.open(path, "rb") as w:
        assert w.getsampwidth() == 2 and w.getnchannels() == 1
        return w.getframerate(), np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.int16)


def centred(pcm, n):
    """The word centred in n samples: zero-padded, or its middle n samples when longer."""
    if len(pcm) > n:
        start = (len(pcm) - n) // 2
        return pcm[start : start + n].copy()
    out = np.zeros(n, dtype=np.int16)
    left = (n - len(pcm)) // 2
    out[left : left + len(pcm)] = pcm
    return out


def pack(a):
    return base64.b64encode(zlib.compress(np.ascontiguousarray(a).tobytes(), 9)).decode("ascii")


def main():
    clips = []
    pcms = {}  # "<name>@<rate>" -> packed int16 PCM, shared by the configs of one rate and length
    for cname, c in CONFIGS.items():
        n = shape(c)[0]
        items = [(name, synthetic(name, c), None) for name in SYNTHETIC]
        for word in WORDS:
            path = word_wav(word, c["sampleRateHz"])
            rate, pcm = read_wav_pcm16(path)
            assert rate == c["sampleRateHz"]
            items.append((f"espeak-{word}", centred(pcm, n), os.path.relpath(path, ROOT) if len(pcm) <= n else None))
        for name, pcm, source in items:
            key = f"{name}@{c['sampleRateHz']}/{n}"
            packed = pack(pcm.astype("<i2"))
            assert pcms.setdefault(key, packed) == packed, key
            lm = log_mel(pcm, c)
            clip = dict(name=name, config=cname, frames=int(lm.shape[0]), bands=int(lm.shape[1]),
                        pcm=key, logMel=pack(lm.astype("<f4")),
                        floorFraction=float(np.mean(lm <= np.log(c["logFloor"]) + 1e-12)))
            if source:
                clip["wav"] = source
            clips.append(clip)
            print(f"{cname:16s} {name:16s} frames={lm.shape[0]} min={lm.min():9.4f} max={lm.max():9.4f} "
                  f"floor={clip['floorFraction']:.2f}", file=sys.stderr)
    doc = dict(
        about="Golden log-mel from tests/reference/logmel_reference.py (numpy float64). Arrays: little-endian, zlib, base64; "
              "each clip's pcm names an entry of pcms.",
        numpy=np.__version__,
        configs=CONFIGS,
        pcms=pcms,
        clips=clips,
    )
    with open(OUT, "w") as fh:
        json.dump(doc, fh, indent=0, separators=(",", ":"))
        fh.write("\n")
    print(f"wrote {os.path.relpath(OUT, ROOT)} ({os.path.getsize(OUT)} bytes)", file=sys.stderr)


if __name__ == "__main__":
    main()
