// Hands a file built in the page to the user through a blob: URL, so nothing
// is sent anywhere.

/** Offers `text` to the user as a file named `fileName` of MIME type `type`. */
export function downloadText(fileName, text, type) {
  const url = URL.createObjectURL(new Blob([text], { type: `${type};charset=utf-8` }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
