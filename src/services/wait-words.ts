/** "about 40 s" / "about 2 min": rounded up, for a person waiting. */
export function waitWords(ms: number): string {
  const seconds = Math.ceil(ms / 1000);
  if (seconds < 90) return `${Math.max(5, Math.ceil(seconds / 5) * 5)} s`;
  return `${Math.ceil(seconds / 60)} min`;
}
