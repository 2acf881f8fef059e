// The signature vectors of ../shared/vectors/sign.json, kept as a copy so a lone clone can test.
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './cli.js';

export interface SignVector {
  name: string;
  params: Record<string, string | number | boolean | null>;
  key: string;
  canonical: string;
  sign: string;
}

export const VECTORS_COPY = path.join(ROOT, 'test', 'fixtures', 'sign-vectors.json');
export const VECTORS_SHARED = path.join(ROOT, '..', 'shared', 'vectors', 'sign.json');

export const vectors: SignVector[] = JSON.parse(fs.readFileSync(VECTORS_COPY, 'utf8'));
