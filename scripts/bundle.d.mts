// Types of scripts/bundle.mjs (plain JavaScript so it runs without tsx).
import type { Plugin } from 'esbuild';

export const ROOT: string;
export const SERVICES: readonly string[];
export function serviceBundle(name: string): string;
export function isBundleStale(outfile: string): boolean;
export function sideEffectFree(packages: readonly string[]): Plugin;
export function buildBundle(o: { entry: string; outfile: string; plugins?: Plugin[]; external?: string[] }): Promise<void>;
export function ensureServiceBundles(o?: { force?: boolean; names?: readonly string[] }): Promise<string[]>;
