// Interns external string item ids to dense integers so statistics can live in typed arrays.

export class ItemVocab {
  private readonly index = new Map<string, number>();
  private readonly ids: string[] = [];

  /** The item's number, assigning the next free one on first sight. */
  intern(id: string): number {
    let n = this.index.get(id);
    if (n === undefined) {
      n = this.ids.length;
      this.index.set(id, n);
      this.ids.push(id);
    }
    return n;
  }

  get(id: string): number | undefined {
    return this.index.get(id);
  }

  id(n: number): string {
    const s = this.ids[n];
    if (s === undefined) throw new RangeError(`no item ${n}`);
    return s;
  }

  get size(): number {
    return this.ids.length;
  }

  /** All ids, index = item number. */
  list(): readonly string[] {
    return this.ids;
  }
}
