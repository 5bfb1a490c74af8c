// Small helpers shared by the tinypair scripts and tests.
import {modelFilesFolder, modelmakerFolder} from "../sourceFolder";

/** The source folder src/lab/modelmaker/tinypair (also when running from the compiled out/ tree). */
export const fixtureDir = (): string => modelmakerFolder("tinypair", "README.md");

/** Where the pair's two GGUF files lie: media/models/tinypair. */
export const ggufDir = (): string => modelFilesFolder("tinypair", "README.md");

/** sfc32: a small seeded PRNG, so every script is reproducible. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = 0xb7e15162;
    this.d = seed >>> 0;
    for (let i = 0; i < 15; i++) this.u32();
  }

  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.u32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
}
