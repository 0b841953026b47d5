/**
 * The worker edge: WorkerBridge starts lazily, carries calls over a real MessageChannel with
 * comlink, rebuilds typed errors, and turns a worker `error` event (comlink alone would wait
 * forever) into a rejected call with code 'worker/failed'.
 */
import { describe, it, expect } from 'vitest';
import { expose } from 'comlink';
import { WorkerBridge } from '../../src/workers/bridge.ts';
import { attempt, unwrap, type Result } from '../../src/workers/result.ts';
import { EarshotError } from '../../src/core/errors.ts';
import { createFeaturesClient } from '../../src/workers/features-bridge.ts';
import { computeLogMel } from '../../src/core/dsp/log-mel.ts';
import { DEFAULT_FEATURE_CONFIG } from '../../src/core/dsp/feature-config.ts';
import { featuresApi } from '../../src/workers/features-api.ts';

/** A Worker look-alike whose other side is a comlink-exposed object on a MessageChannel. */
class ChannelWorker extends EventTarget {
  readonly #port: MessagePort;
  terminated = false;
  constructor(api: object | null) {
    super();
    const { port1, port2 } = new MessageChannel();
    if (api) expose(api, port2);
    this.#port = port1;
    port1.addEventListener('message', (e) => this.dispatchEvent(new MessageEvent('message', { data: (e as MessageEvent).data })));
    port1.start();
  }
  postMessage(msg: unknown, transfer: Transferable[] = []) {
    this.#port.postMessage(msg, transfer);
  }
  terminate() {
    this.terminated = true;
    this.#port.close();
  }
}

interface Api {
  double(x: number): Promise<Result<number>>;
  fail(): Promise<Result<number>>;
}
const api: Api = {
  double: (x) => attempt('worker/failed', () => 2 * x),
  fail: () =>
    attempt('worker/failed', () => {
      throw new EarshotError('quant/bad-calibration', 'no clips');
    }),
};

describe('WorkerBridge', () => {
  it('starts the worker on the first call only and returns results', async () => {
    let created = 0;
    const bridge = new WorkerBridge<Api>(() => {
      created++;
      return new ChannelWorker(api) as unknown as Worker;
    }, 'test', 'worker/failed');
    expect(created).toBe(0);
    expect(unwrap(await bridge.call<Result<number>>((a) => a.double(21)))).toBe(42);
    expect(unwrap(await bridge.call<Result<number>>((a) => a.double(2)))).toBe(4);
    expect(created).toBe(1);
    bridge.terminate();
  });

  it('rebuilds a typed error from the worker', async () => {
    const bridge = new WorkerBridge<Api>(() => new ChannelWorker(api) as unknown as Worker, 'test', 'worker/failed');
    const err = await bridge.call<Result<number>>((a) => a.fail()).then(unwrap).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EarshotError);
    expect((err as EarshotError).code).toBe('quant/bad-calibration');
    bridge.terminate();
  });

  it('rejects a pending call when the worker fails to load, and restarts on the next call', async () => {
    const workers: ChannelWorker[] = [];
    const bridge = new WorkerBridge<Api>(() => {
      const w = new ChannelWorker(null); // nothing exposed: comlink would never answer
      workers.push(w);
      return w as unknown as Worker;
    }, 'test', 'worker/failed');
    const pending = bridge.call<Result<number>>((a) => a.double(1));
    workers[0].dispatchEvent(Object.assign(new Event('error'), { message: 'SyntaxError in worker' }));
    await expect(pending).rejects.toMatchObject({ code: 'worker/failed' });
    expect(workers[0].terminated).toBe(true);
    const again = bridge.call<Result<number>>((a) => a.double(1));
    expect(workers.length).toBe(2);
    workers[1].dispatchEvent(new Event('error'));
    await expect(again).rejects.toMatchObject({ code: 'worker/failed' });
  });
});

describe('features client', () => {
  it('computes the same log-mel as core through the bridge and leaves the input intact', async () => {
    const client = createFeaturesClient(() => new ChannelWorker(featuresApi) as unknown as Worker);
    const x = Float32Array.from({ length: 16000 }, (_, i) => 0.3 * Math.sin((2 * Math.PI * 1000 * i) / 16000));
    const f = await client.logMel(x, DEFAULT_FEATURE_CONFIG);
    const ref = computeLogMel(x, DEFAULT_FEATURE_CONFIG);
    expect(x.length).toBe(16000); // the page's copy was not transferred away
    expect([f.frames, f.bands]).toEqual([ref.frames, ref.bands]);
    expect(Array.from(f.data)).toEqual(Array.from(ref.data));
    await expect(client.logMel(x, { melBands: 1 })).rejects.toMatchObject({ code: 'features/bad-config' });
    client.terminate();
  });
});
