/**
 * The guided path: from what the app holds, which of the six steps are done, which one is
 * next and what to do there, in words a student can act on. Pure (tested in Node).
 */
export type StepId = 'record' | 'features' | 'train' | 'quantize' | 'fit' | 'export';
export type StepState = 'done' | 'current' | 'todo';

export interface Progress {
  /** Clip count per class, in class order. */
  clipsPerClass: Array<{ label: string; clips: number }>;
  training: boolean;
  hasModel: boolean;
  quantized: boolean;
  exported: boolean;
}

export interface Step {
  id: StepId;
  title: string;
  /** The id of the screen heading to jump to. */
  target: string;
  state: StepState;
}

export interface Plan {
  steps: Step[];
  next: { id: StepId; text: string };
}

/** Fewer clips than this per class and training has too little to learn from. */
export const MIN_CLIPS_PER_CLASS = 5;

const STEPS: Array<{ id: StepId; title: string; target: string }> = [
  { id: 'record', title: 'Record', target: 'record-title' },
  { id: 'features', title: 'Features', target: 'clips-title' },
  { id: 'train', title: 'Train', target: 'train-title' },
  { id: 'quantize', title: 'Quantize', target: 'quantize-title' },
  { id: 'fit', title: 'Fit', target: 'fit-title' },
  { id: 'export', title: 'Export', target: 'export-title' },
];

export function stepTargets(): ReadonlyArray<{ id: StepId; title: string; target: string }> {
  return STEPS;
}

function recordAdvice(p: Progress): string | null {
  const classes = p.clipsPerClass;
  if (classes.length === 0) return 'Add a class for each sound you want to tell apart, e.g. "yes", "no" and "noise", or press Try the demo.';
  if (classes.length === 1) return `Add a second class: the model needs at least two sounds to choose between (you have "${classes[0].label}").`;
  const short = classes.find((c) => c.clips < MIN_CLIPS_PER_CLASS);
  if (short) {
    const more = MIN_CLIPS_PER_CLASS - short.clips;
    return `Record ${more} more clip${more === 1 ? '' : 's'} of "${short.label}" (at least ${MIN_CLIPS_PER_CLASS} per class; more and varied is better).`;
  }
  return null;
}

export function planSteps(p: Progress): Plan {
  const recordTodo = recordAdvice(p);
  const done: Record<StepId, boolean> = {
    record: recordTodo === null,
    // Spectrograms are computed for every clip as soon as it is saved.
    features: recordTodo === null,
    train: p.hasModel,
    quantize: p.quantized,
    // The fit estimate is shown as soon as there is an int8 model.
    fit: p.quantized,
    export: p.exported,
  };
  let next: Plan['next'];
  if (recordTodo !== null) next = { id: 'record', text: recordTodo };
  else if (p.training) next = { id: 'train', text: 'Training… watch the loss fall and the accuracy rise.' };
  else if (!p.hasModel) next = { id: 'train', text: 'Look at the spectrograms: do the classes look different? Then press Train.' };
  else if (!p.quantized) next = { id: 'quantize', text: 'Press Quantize to turn the model into 8-bit integers, as a microcontroller runs it.' };
  else if (!p.exported) next = { id: 'export', text: 'Pick your board in Fit, then download the C header in Export.' };
  else next = { id: 'export', text: 'Done: flash the header to your board, or record more varied clips and train again.' };
  const steps = STEPS.map((s) => ({ ...s, state: (s.id === next.id && !done[s.id] ? 'current' : done[s.id] ? 'done' : 'todo') as StepState }));
  return { steps, next };
}
