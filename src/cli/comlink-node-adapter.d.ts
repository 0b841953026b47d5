// comlink ships node-adapter.d.ts next to node-adapter.mjs; this names it for the .mjs import.
declare module 'comlink/dist/esm/node-adapter.mjs' {
  export { default } from 'comlink/dist/esm/node-adapter';
}
