import 'fake-indexeddb/auto'; // idb needs the IDB* globals
import { describe, it, expect, beforeEach } from 'vitest';
import { IDBFactory } from 'fake-indexeddb';
import { ExportState } from '../../src/state/export.svelte.ts';
import { encodeWav } from '../../src/core/audio/wav.ts';
import { openDatasetState } from './dataset-fixtures.ts';

beforeEach(() => {
  (globalThis as { indexedDB?: IDBFactory }).indexedDB = new IDBFactory();
});

const tone = (n: number, rateHz: number, hz: number) => Float32Array.from({ length: n }, (_, i) => 0.5 * Math.sin((2 * Math.PI * hz * i) / rateHz));

describe('DatasetState', () => {
  it('adds classes (validated, no duplicates) and selects the new one', async () => {
    const { ds } = await openDatasetState();
    await ds.addClass(' yes ');
    await ds.addClass('noise');
    expect(ds.classes).toEqual(['yes', 'noise']);
    expect(ds.selected).toBe('noise');
    await expect(ds.addClass('yes')).rejects.toMatchObject({ code: 'dataset/bad-label' });
    await expect(ds.addClass('a/b')).rejects.toMatchObject({ code: 'dataset/bad-label' });
    expect(ds.classes).toEqual(['yes', 'noise']);
  });

  it('keeps classes and clips across a reload; deleting a clip or class persists too', async () => {
    const { store, ds } = await openDatasetState();
    await ds.addClass('yes');
    await ds.addClass('no');
    const a = await ds.addClip('yes', tone(16000, 16000, 440), 'mic');
    await ds.addClip('yes', tone(16000, 16000, 880), 'mic');
    await ds.addClip('no', tone(16000, 16000, 2000), 'mic');
    await expect(ds.addClip('maybe', tone(16000, 16000, 1), 'mic')).rejects.toMatchObject({ code: 'dataset/bad-label' });
    expect(ds.countFor('yes')).toBe(2);
    await ds.deleteClip(a.id);
    store.close();

    const again = await openDatasetState();
    expect(again.ds.classes).toEqual(['yes', 'no']);
    expect(again.ds.clips.map((c) => c.label)).toEqual(['yes', 'no']);
    expect(again.ds.clips[0].samples[10]).toBeCloseTo(0.5 * Math.sin((2 * Math.PI * 880 * 10) / 16000), 4); // stored on the 16-bit grid: error ≤ 0.5/32768
    await again.ds.removeClass('yes');
    again.store.close();

    const third = await openDatasetState();
    expect(third.ds.classes).toEqual(['no']);
    expect(third.ds.clips.length).toBe(1);
    third.store.close();
  });

  it('imports good WAV files and gives each bad one a readable message', async () => {
    const { ds } = await openDatasetState();
    await ds.addClass('beep');
    const good44k = encodeWav(tone(22050, 44100, 1000), 44100); // 0.5 s at 44.1 kHz → padded to 1 s at 16 kHz
    const good16k = encodeWav(tone(20000, 16000, 500), 16000); // 1.25 s → cropped
    const files = [
      { name: 'a.wav', bytes: async () => good44k.slice().buffer },
      { name: 'junk.wav', bytes: async () => new TextEncoder().encode('this is not audio').buffer },
      { name: 'b.wav', bytes: async () => good16k.slice().buffer },
      { name: 'cut.wav', bytes: async () => good16k.slice(0, 30).buffer },
    ];
    const report = await ds.importFiles(files);
    expect(report.imported).toBe(2);
    expect(report.failures.map((f) => f.name)).toEqual(['junk.wav', 'cut.wav']);
    for (const f of report.failures) expect(f.message).toMatch(/\[wav\//);
    expect(ds.clips.map((c) => [c.name, c.samples.length, c.source])).toEqual([
      ['a.wav', 16000, 'file'],
      ['b.wav', 16000, 'file'],
    ]);
  });

  it('refuses to import with no class selected', async () => {
    const { ds } = await openDatasetState();
    const r = await ds.importFiles([{ name: 'x.wav', bytes: async () => new ArrayBuffer(0) }]);
    expect(r.imported).toBe(0);
    expect(r.failures[0].message).toMatch(/class/);
  });
});

describe('ExportState', () => {
  it('checks the prefix as a lower-case C identifier', () => {
    const ex = new ExportState(() => {
      throw new Error('no worker in this test');
    }, () => undefined);
    expect(ex.prefixError).toBeNull();
    for (const bad of ['1abc', 'Model', 'with-dash', '', 'a'.repeat(40)]) {
      ex.prefix = bad;
      expect(ex.prefixError, bad).not.toBeNull();
    }
    ex.prefix = 'kws_v2';
    expect(ex.prefixError).toBeNull();
  });

  it('refuses to export a model that is not quantized', async () => {
    let saved = 0;
    const ex = new ExportState(() => {
      throw new Error('must not be called');
    }, () => saved++);
    await ex.downloadHeader(null, []);
    expect(ex.error).toMatch(/model\/not-quantized/);
    expect(saved).toBe(0);
  });
});
