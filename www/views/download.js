// Hands a file built in the page to the user through a blob: URL, so nothing
// is sent anywhere.

/** Offers `text` to the user as a file named `fileName` of MIME type `type`. */
export function downloadText(fileName, text, type) {
  downloadBlob(fileName, new Blob([text], { type: `${type};charset=utf-8` }));
}

/** Offers `blob` to the user as a file named `fileName`. */
export function downloadBlob(fileName, blob) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
