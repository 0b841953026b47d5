// Entry of a gradient-shard worker thread (thread-shards.ts): load the TypeScript sources
// through tsx, as bin/earshot.js does for the CLI, then run shard-thread.ts.
import { register } from 'tsx/esm/api';

register();
await import('./shard-thread.ts');
