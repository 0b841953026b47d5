/**
 * The generated estimator tables are current: the hash of the C sources they were measured from
 * equals the hash recorded in them (a fast check; tests/c re-measures spot values).
 */
import { describe, expect, it } from 'vitest';
import { EARSHOT_COST_SOURCES_HASH } from '../../src/core/mcu/earshot-costs.generated.ts';
import { sourcesHash } from '../../scripts/fit-costs.ts';

describe('generated mcu tables are current', () => {
  it('earshot-costs.generated.ts was measured from today\'s kernels.h / features.h', () => {
    expect(sourcesHash(process.cwd()), 'C sources changed since the fit: run npx tsx scripts/fit-costs.ts').toBe(EARSHOT_COST_SOURCES_HASH);
  });
});

describe('code-size.generated.ts is current', () => {
  it('was measured from today\'s kernels.h / features.h', async () => {
    const { codeSizeHash } = await import('../../scripts/code-size.ts');
    const { CODE_SIZE_SOURCES_HASH } = await import('../../src/core/mcu/code-size.generated.ts');
    expect(codeSizeHash(process.cwd()), 'C sources changed since the code-size table was made: run npx tsx scripts/code-size.ts (npm run gen:code-size)').toBe(CODE_SIZE_SOURCES_HASH);
  });
});
