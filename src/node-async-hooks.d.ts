// The one Node API the Worker uses (nodejs_compat provides it in workerd): AsyncLocalStorage, for the request's lazy
// rate-limit admission (src/lib/admission.ts). Declared here so the Worker's type-check does not take in @types/node.
declare module "node:async_hooks" {
  export class AsyncLocalStorage<T> {
    run<R>(store: T, fn: () => R): R;
    getStore(): T | undefined;
  }
}
