import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { C_MODULE, renderCModule } from '../../scripts/embed-c.ts';

describe('embedded C runtime', () => {
  it('c-sources.generated.ts matches src/core/export/c/*.h (run npm run gen:c)', () => {
    expect(readFileSync(C_MODULE, 'utf8')).toBe(renderCModule(process.cwd()));
  });
});
