/// <reference lib="webworker" />
/** Features worker: a comlink shell over featuresApi (core computeLogMel). */
import { expose } from 'comlink';
import { featuresApi } from './features-api.ts';

const api = featuresApi;
expose(api);
export type FeaturesApi = typeof api;
