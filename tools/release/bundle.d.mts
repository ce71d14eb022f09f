export declare const CURVE_ONLY: RegExp[];
export declare function isCurveOnly(path: string): boolean;
export interface Bundle {
  /** Every input file esbuild read. */
  inputs: string[];
  /** Every import an input makes, resolved or external. */
  imports: string[];
  text: string;
  /** Output size in bytes, and gzipped (level 9). */
  bytes: number;
  gzipBytes: number;
}
export declare function bundle(
  source: string,
  options: { resolveDir: string; conditions?: string[]; minify?: boolean },
): Promise<Bundle>;
