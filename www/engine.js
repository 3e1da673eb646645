// The page's side of the worker protocol: each call posts { id, type, ... }
// and returns a promise settled by the worker's reply with the same id.

export class EngineClient {
  constructor(workerUrl) {
    this.worker = new Worker(workerUrl, { type: 'module' });
    this.nextId = 1;
    this.pending = new Map();
    this.failure = null;
    this.worker.addEventListener('message', (event) => this.receive(event.data));
    this.worker.addEventListener('error', (event) => this.failAll(event.message || 'The analysis worker failed to start, so no file can be analysed. Reload the page to try again.'));
  }

  /** Sends one request; `onProgress` receives the progress messages for it. */
  request(type, payload = {}, onProgress = null) {
    const id = this.nextId;
    this.nextId += 1;
    return new Promise((resolve, reject) => {
      if (this.failure) {
        reject(new Error(this.failure));
        return;
      }
      this.pending.set(id, { resolve, reject, onProgress });
      this.worker.postMessage({ id, type, ...payload });
    });
  }

  receive(message) {
    const entry = this.pending.get(message.id);
    if (!entry) {
      return;
    }
    if (message.progress) {
      entry.onProgress?.(message.progress);
      return;
    }
    this.pending.delete(message.id);
    if (message.error) {
      entry.reject(new Error(message.error.message));
    } else {
      entry.resolve(message.result);
    }
  }

  // A worker that failed to start never replies, so every pending and later
  // request fails with the same message.
  failAll(message) {
    this.failure = message;
    for (const entry of this.pending.values()) {
      entry.reject(new Error(message));
    }
    this.pending.clear();
  }
}
