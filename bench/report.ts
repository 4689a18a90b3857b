/** A benchmark figure, optionally judged against a target. */
export interface Row {
  metric: string;
  value: string;
  /** This figure as a multiple of the run's issuing-primitives figure (the ratios compare across noisy runs). */
  ratio?: number;
  target?: string;
  /** undefined: informational, no target. */
  met?: boolean;
}

export const int = (value: number): string => Math.round(value).toLocaleString("en-US");
export const perSecond = (count: number, ms: number): number => (count * 1000) / ms;
export const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
/** Median (the upper one of an even count), smallest and largest of a sample. */
export const stats = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)], min: sorted[0], max: sorted[sorted.length - 1] };
};
export const mib = (bytes: number | undefined): string => (bytes === undefined ? "n/a" : `${int(bytes / 1024 / 1024)} MiB`);

/** A plain-text table: metric | measured | × primitives | target | result. */
export function formatTable(title: string, rows: readonly Row[]): string {
  const header = { metric: "metric", value: "measured", ratio: "× primitives", target: "target", result: "result" };
  const cells = rows.map((r) => ({
    metric: r.metric,
    value: r.value,
    ratio: r.ratio === undefined ? "" : `${r.ratio.toFixed(2)}×`,
    target: r.target ?? "",
    result: r.met === undefined ? "" : r.met ? "met" : "MISSED",
  }));
  const width = (key: keyof typeof header) => Math.max(header[key].length, ...cells.map((c) => c[key].length));
  const w = { metric: width("metric"), value: width("value"), ratio: width("ratio"), target: width("target"), result: width("result") };
  const line = (c: typeof header) => `| ${c.metric.padEnd(w.metric)} | ${c.value.padStart(w.value)} | ${c.ratio.padStart(w.ratio)} | ${c.target.padEnd(w.target)} | ${c.result.padEnd(w.result)} |`;
  const rule = `|${"-".repeat(w.metric + 2)}|${"-".repeat(w.value + 2)}:|${"-".repeat(w.ratio + 2)}:|${"-".repeat(w.target + 2)}|${"-".repeat(w.result + 2)}|`;
  return [title, "", line(header), rule, ...cells.map(line)].join("\n");
}
