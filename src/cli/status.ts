// kind's progress lines: " • step  ..." when a step starts, " ✓ step" / " ✗ step" when it ends.
// On a terminal the start line is overwritten, as kind's spinner does. kind logs to stderr.

export class Status {
  private current: string | undefined;
  constructor(private readonly out: NodeJS.WriteStream = process.stderr) {}

  start(step: string): void {
    this.end(true);
    this.current = step;
    this.out.write(this.out.isTTY ? ` • ${step}  ...` : ` • ${step}  ...\n`);
  }

  end(ok: boolean): void {
    if (this.current === undefined) return;
    const line = ` ${ok ? '✓' : '✗'} ${this.current}\n`;
    this.out.write(this.out.isTTY ? `\r\x1b[2K${line}` : line);
    this.current = undefined;
  }

  async step<T>(name: string, fn: () => Promise<T> | T): Promise<T> {
    this.start(name);
    try {
      const v = await fn();
      this.end(true);
      return v;
    } catch (e) {
      this.end(false);
      throw e;
    }
  }
}
