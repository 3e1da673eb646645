// The page's side of the worker protocol: each call posts { id, type, ... }
// and returns a promise settled by the worker's reply with the same id.
//
// The client also keeps the requests that changed the engine's state: the File
// objects added, files removed, dialects chosen and the last load. After an
// internal error, and after the user cancels, it starts a new worker and sends
// them again, so the user's files stay loaded and a retry needs no new drop.

// Request types whose effect a new worker must see again, in the order sent.
const REPLAYED_TYPES = new Set(['addFiles', 'removeFile', 'inspect', 'load']);

const START_FAILURE = 'The analysis worker failed to start, so no file can be analysed. Reload the page to try again.';
const RESTART_FAILURE = 'The analysis engine stopped on an internal error again while it re-read your files. Reload the page and add the files again.';

const CANCELLED = 'Cancelled. Your earlier files are still loaded.';
const RESTORE_CANCELLED = 'Cancelled while your files were read again, so every file was removed. Add the files again.';

/** The rejection of a request that the user cancelled; the page shows it as a notice, not an error. */
export class CancelledError extends Error {
  constructor(message, { cleared = false } = {}) {
    super(message);
    this.name = 'CancelledError';
    // True when the cancel also removed every file from the engine.
    this.cleared = cleared;
  }
}

/** Returns true when `error` comes from EngineClient.cancel(). */
export function isCancellation(error) {
  return error instanceof CancelledError;
}

/** Builds the message for a request that a wasm trap (a Rust panic) ended. */
function internalErrorMessage(detail) {
  return `The engine stopped on an internal error (${detail}). Your files are still loaded; press Analyse to retry.`;
}

export class EngineClient {
  constructor(workerUrl) {
    this.workerUrl = workerUrl;
    this.nextId = 1;
    this.pending = new Map();
    this.failure = null;
    // The successful state-changing requests, as { type, payload }.
    this.history = [];
    // Called with { state, ... } while a new worker reads the remembered files
    // again. `state` is 'start', 'progress' (with `progress`, the worker's
    // reading progress), 'step' (with `type`, the request replayed next),
    // 'done', 'failed' (a second trap, with `message`) or 'cleared' (cancelled).
    this.onRestore = null;
    this.restoring = false;
    this.startWorker();
  }

  startWorker() {
    this.worker = new Worker(this.workerUrl, { type: 'module' });
    this.worker.addEventListener('message', (event) => this.receive(event.data));
    this.worker.addEventListener('error', (event) => this.failAll(event.message || START_FAILURE));
  }

  /** Sends one request; `onProgress` receives the progress messages for it. */
  request(type, payload = {}, onProgress = null) {
    return new Promise((resolve, reject) => {
      if (this.failure) {
        reject(new Error(this.failure));
        return;
      }
      const onResult = (result) => {
        this.remember(type, payload);
        resolve(result);
      };
      this.post({ type, payload, resolve: onResult, reject, onProgress, replay: false });
    });
  }

  post(entry) {
    const id = this.nextId;
    this.nextId += 1;
    this.pending.set(id, entry);
    this.worker.postMessage({ id, type: entry.type, ...entry.payload });
  }

  remember(type, payload) {
    if (!REPLAYED_TYPES.has(type)) {
      return;
    }
    // Only the last load matters, because each load replaces the journeys.
    if (type === 'load') {
      this.history = this.history.filter((step) => step.type !== 'load');
    }
    this.history.push({ type, payload });
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
    if (message.error?.fatal) {
      this.restart(entry, message.error.message);
    } else if (message.error) {
      entry.reject(new Error(message.error.message));
    } else {
      entry.resolve(message.result);
    }
  }

  /**
   * Replaces a worker whose wasm instance trapped. The request that trapped
   * and every other pending one fail with a readable message, and the new
   * worker gets the remembered requests again.
   */
  restart(failedEntry, detail) {
    console.error(`Pathlight: restarting the analysis worker after an internal error in a ${failedEntry.type} request (${detail}).`);
    const error = new Error(internalErrorMessage(detail));
    failedEntry.reject(error);

    // A remembered request that traps again is dropped from the history, so
    // each restart has fewer requests to send and the restarts end.
    if (failedEntry.replay) {
      this.history = this.history.filter((step) => step !== failedEntry.step);
      if (failedEntry.step.type !== 'load') {
        this.worker.terminate();
        this.failAll(RESTART_FAILURE);
        this.finishRestore('failed', RESTART_FAILURE);
        return;
      }
    }
    this.replaceWorker(error);
  }

  /**
   * Stops the work in progress at once: the worker is terminated and every
   * pending request fails with a CancelledError. A new worker then reads the
   * remembered files again. A cancel during that replay clears the history
   * instead, so the new worker starts empty.
   */
  cancel() {
    if (this.failure || this.pending.size === 0) {
      return;
    }
    if (this.restoring) {
      console.info('Pathlight: the user cancelled while the files were read again; every file was removed.');
      this.history = [];
      this.restoring = false;
      this.replaceWorker(new CancelledError(RESTORE_CANCELLED, { cleared: true }));
      this.onRestore?.({ state: 'cleared' });
      return;
    }
    console.info('Pathlight: the user cancelled; restarting the analysis worker.');
    this.replaceWorker(new CancelledError(CANCELLED));
  }

  /**
   * Terminates the worker, rejects every pending request with `error`, and
   * starts a new worker that gets the remembered requests again before any
   * later request, because a worker runs its requests in arrival order.
   */
  replaceWorker(error) {
    this.worker.terminate();
    const entries = [...this.pending.values()];
    this.pending.clear();
    for (const entry of entries) {
      if (!entry.replay) {
        entry.reject(error);
      }
    }
    this.startWorker();
    this.replayHistory();
  }

  replayHistory() {
    if (this.history.length === 0) {
      this.finishRestore('done');
      return;
    }
    this.restoring = true;
    this.onRestore?.({ state: 'start' });
    // Files that the new worker could not read again, such as files changed
    // on disk since they were added.
    const unread = [];
    for (const [position, step] of this.history.entries()) {
      const next = this.history[position + 1];
      const settle = () => {
        if (next) {
          this.onRestore?.({ state: 'step', type: next.type });
        } else if (unread.length > 0) {
          const names = unread.map((failure) => `${failure.name} (${failure.message})`).join('; ');
          this.finishRestore('failed', `These files could not be read again: ${names}. Remove them and add them again.`);
        } else {
          this.finishRestore('done');
        }
      };
      this.post({
        type: step.type,
        payload: step.payload,
        step,
        replay: true,
        resolve: (result) => {
          if (step.type === 'addFiles') {
            unread.push(...(result?.failures ?? []));
          }
          settle();
        },
        reject: settle,
        onProgress: (progress) => this.onRestore?.({ state: 'progress', progress }),
      });
    }
  }

  // `state` is 'done', or 'failed' when the replay stopped on a second trap.
  finishRestore(state, message = null) {
    const wasRestoring = this.restoring;
    this.restoring = false;
    if (wasRestoring || state !== 'done') {
      this.onRestore?.({ state, message });
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
