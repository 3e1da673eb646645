// Registers the service worker (sw.js) that keeps a copy of the page for
// offline use, and shows the offline note once that worker is active.
// Browsers offer service workers only on https and on localhost, so on a
// plain http host the page works as before, online only.

export function registerOfflineCopy(note) {
  if (!('serviceWorker' in navigator)) {
    return;
  }
  const scope = new URL('./', import.meta.url).href;
  navigator.serviceWorker.register(new URL('./sw.js', import.meta.url), { scope, updateViaCache: 'none' })
    .catch((error) => {
      // The page still works online, so the failure goes to the console only.
      console.warn(`Pathlight: the offline copy could not be stored: ${error.message}`);
    });
  navigator.serviceWorker.ready.then(() => {
    note.hidden = false;
  });
}
