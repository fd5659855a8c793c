const units = ['B', 'KB', 'MB', 'GB', 'TB'] as const;

/** `512 B`, `1.50 KB`, `3.20 MB`: binary multiples, two decimals past bytes. */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${Math.max(0, bytes)} B`;
  const exponent = Math.min(Math.floor(Math.log(bytes) / Math.log(1024)), units.length - 1);
  return `${(bytes / 1024 ** exponent).toFixed(2)} ${units[exponent]}`;
}
