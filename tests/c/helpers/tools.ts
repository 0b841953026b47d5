/**
 * Tests that need an external tool call requireTool: a missing tool is a failure with the
 * install hint (`npm test` installs them via scripts/ensure-tools.sh), never a silent skip.
 */
import { spawnSync } from 'node:child_process';

export function hasTool(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).status === 0;
}

export function requireTool(name: string): void {
  if (!hasTool(name)) throw new Error(`${name} is not installed: run bash scripts/ensure-tools.sh (Debian packages)`);
}
