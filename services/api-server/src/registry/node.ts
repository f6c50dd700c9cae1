import { defineStrategy } from './strategy.js';

/** Nodes: a create keeps the status the client sent (a kubelet registers its Node with its capacity and conditions). */
export const nodeStrategy = defineStrategy('Node', { keepStatusOnCreate: true });
