// A one-line progress bar on stderr, redrawn at most every 100 ms so it never slows the run down.

export class Progress {
  private last = 0;
  constructor(private readonly label: string, private readonly total: number) {}

  tick(done: number): void {
    const now = Date.now();
    if (now - this.last < 100 && done < this.total) return;
    this.last = now;
    const frac = this.total ? done / this.total : 1;
    const bar = "#".repeat(Math.round(frac * 30)).padEnd(30, ".");
    process.stderr.write(`\r${this.label.padEnd(24).slice(0, 24)} [${bar}] ${done}/${this.total}`);
  }

  done(): void {
    this.tick(this.total);
    process.stderr.write("\n");
  }
}
