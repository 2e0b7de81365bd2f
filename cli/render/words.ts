// Small wording helpers shared by the renderers.

export const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** "3 min ago", "2 h ago", "5 d ago": how old a refresh is, for the freshness line. */
export function ago(iso: string | Date, now = new Date()): string {
  const seconds = Math.max(0, Math.round((now.getTime() - new Date(iso).getTime()) / 1000));
  if (seconds < 90) return `${seconds} s ago`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 36 * 3600) return `${Math.round(seconds / 3600)} h ago`;
  return `${Math.round(seconds / 86400)} d ago`;
}

export const isoSeconds = (iso: string | Date) => new Date(iso).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** A bar of `width` cells for a value in permille (0..1000) of the maximum. */
export function bar(permille: number, width: number, fill = '█', empty = ' '): string {
  const cells = Math.max(0, Math.min(width, Math.round((permille * width) / 1000)));
  return fill.repeat(cells) + empty.repeat(width - cells);
}
