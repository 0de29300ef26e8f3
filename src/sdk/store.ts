// First-party storage that never throws (private mode, disabled storage) and stays in memory until tracking is
// allowed, so nothing is written to the visitor's browser before consent.

export class Store {
  #memory = new Map<string, string>();
  persistent = false;

  get(key: string): string | null {
    if (this.persistent) {
      try {
        return localStorage.getItem(key);
      } catch {
        // fall through to memory
      }
    }
    return this.#memory.get(key) ?? null;
  }

  set(key: string, value: string): void {
    this.#memory.set(key, value);
    if (!this.persistent) return;
    try {
      localStorage.setItem(key, value);
    } catch {
      // quota or disabled: memory keeps the page working
    }
  }

  /** Moves what was held in memory to localStorage (called once consent allows storing). */
  persist(): void {
    this.persistent = true;
    for (const [k, v] of this.#memory) this.set(k, v);
  }

  /** Forgets these keys in memory and in localStorage, and stores nothing from now on (a declined consent). */
  clear(keys: readonly string[]): void {
    this.persistent = false;
    for (const k of keys) {
      this.#memory.delete(k);
      try {
        localStorage.removeItem(k);
      } catch {
        // storage disabled: nothing was kept there
      }
    }
  }

  json<T>(key: string, fallback: T): T {
    try {
      const raw = this.get(key);
      return raw ? (JSON.parse(raw) as T) : fallback;
    } catch {
      return fallback;
    }
  }
}
