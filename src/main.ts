import { mount } from 'svelte';
import App from './ui/App.svelte';
import './app.css';
import { registerServiceWorker } from './platform/service-worker-register.ts';

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');
mount(App, { target });
// Offline after the first visit (the built app only: dev serves no sw.js).
if (import.meta.env.PROD) registerServiceWorker().catch((e) => console.warn('offline mode unavailable:', e));
