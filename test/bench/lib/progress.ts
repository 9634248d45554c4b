/** Progress and diagnostics go to stderr so stdout holds only the table; the time of day lines up the parent's lines with its children's. */
export function progress(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}
