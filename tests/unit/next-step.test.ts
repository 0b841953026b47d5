import { describe, it, expect } from 'vitest';
import { planSteps, MIN_CLIPS_PER_CLASS, type Progress } from '../../src/ui/steps/next-step.ts';

const base: Progress = { clipsPerClass: [], training: false, hasModel: false, quantized: false, exported: false };
const full = (n = MIN_CLIPS_PER_CLASS) => [{ label: 'yes', clips: n }, { label: 'no', clips: n }];
const states = (p: Progress) => planSteps(p).steps.map((s) => `${s.id}:${s.state}`).join(' ');

describe('planSteps', () => {
  it('starts at Record and explains how to begin', () => {
    const plan = planSteps(base);
    expect(plan.next.id).toBe('record');
    expect(plan.next.text).toMatch(/Add a class.*Try the demo/);
    expect(states(base)).toBe('record:current features:todo train:todo quantize:todo fit:todo export:todo');
  });

  it('asks for a second class, then for the missing clips of the shortest class', () => {
    expect(planSteps({ ...base, clipsPerClass: [{ label: 'yes', clips: 9 }] }).next.text).toMatch(/second class.*"yes"/);
    const p = { ...base, clipsPerClass: [{ label: 'yes', clips: 9 }, { label: 'no', clips: MIN_CLIPS_PER_CLASS - 1 }] };
    expect(planSteps(p).next.text).toMatch(/^Record 1 more clip of "no"/);
    expect(planSteps({ ...p, clipsPerClass: [{ label: 'yes', clips: 9 }, { label: 'no', clips: 0 }] }).next.text).toMatch(`Record ${MIN_CLIPS_PER_CLASS} more clips`);
  });

  it('walks train → quantize → export as the model grows', () => {
    expect(planSteps({ ...base, clipsPerClass: full() }).next.id).toBe('train');
    expect(states({ ...base, clipsPerClass: full() })).toBe('record:done features:done train:current quantize:todo fit:todo export:todo');
    expect(planSteps({ ...base, clipsPerClass: full(), training: true }).next.text).toMatch(/Training/);
    expect(planSteps({ ...base, clipsPerClass: full(), hasModel: true }).next.id).toBe('quantize');
    const q = { ...base, clipsPerClass: full(), hasModel: true, quantized: true };
    expect(planSteps(q).next.id).toBe('export');
    expect(states(q)).toBe('record:done features:done train:done quantize:done fit:done export:current');
    expect(states({ ...q, exported: true })).toBe('record:done features:done train:done quantize:done fit:done export:done');
  });

  it('keeps a saved model done even when clips were deleted since (record is current again)', () => {
    const p = { ...base, clipsPerClass: full(2), hasModel: true };
    expect(planSteps(p).next.id).toBe('record');
    expect(states(p)).toBe('record:current features:todo train:done quantize:todo fit:todo export:todo');
  });
});
