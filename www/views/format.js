// Number, share and duration formats used by every view, so the same figure
// reads the same everywhere.

const countFormat = new Intl.NumberFormat('en-US');
const percentFormat = new Intl.NumberFormat('en-US', {
  style: 'percent',
  minimumFractionDigits: 1,
  maximumFractionDigits: 1,
});

// Amounts from the value column: separators and at most two decimals, with
// no currency, because the file does not say which one.
const amountFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

const MS_PER_SECOND = 1000;
const MS_PER_MINUTE = 60 * MS_PER_SECOND;
const MS_PER_HOUR = 60 * MS_PER_MINUTE;
const MS_PER_DAY = 24 * MS_PER_HOUR;

/** Formats a whole count with thousands separators: 1434 as "1,434". */
export function formatCount(value) {
  if (value === null || value === undefined) {
    return '–';
  }
  return countFormat.format(value);
}

/** Formats an amount, such as a total value, as "3,463.5". */
export function formatAmount(value) {
  if (value === null || value === undefined || Number.isNaN(value)) {
    return '–';
  }
  return amountFormat.format(value);
}

/** Formats a share from 0 to 1 as a percentage with one decimal. */
export function formatShare(share) {
  if (share === null || share === undefined || Number.isNaN(share)) {
    return '–';
  }
  return percentFormat.format(share);
}

/**
 * Formats a duration in milliseconds with its two largest units, such as
 * "3 d 4 h" or "12 min 5 s". Null, for "not measured", becomes a dash.
 */
export function formatDuration(ms) {
  if (ms === null || ms === undefined || Number.isNaN(ms)) {
    return '–';
  }
  if (ms < MS_PER_SECOND) {
    return `${Math.round(ms)} ms`;
  }
  const units = [
    ['d', MS_PER_DAY],
    ['h', MS_PER_HOUR],
    ['min', MS_PER_MINUTE],
    ['s', MS_PER_SECOND],
  ];
  const parts = [];
  let rest = Math.round(ms / MS_PER_SECOND) * MS_PER_SECOND;
  for (const [unit, size] of units) {
    const amount = Math.floor(rest / size);
    if (amount > 0 || parts.length > 0) {
      parts.push(`${amount} ${unit}`);
      rest -= amount * size;
    }
    if (parts.length === 2) {
      break;
    }
  }
  return parts.filter((part) => !part.startsWith('0 ')).join(' ');
}

/** Formats a byte count as B, KB, MB or GB (powers of 1024). */
export function formatBytes(bytes) {
  const units = ['B', 'KB', 'MB', 'GB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit === 0 || value >= 10 ? 0 : 1;
  return `${value.toFixed(digits)} ${units[unit]}`;
}

/** Formats an RFC 3339 time as a short date and time in the given IANA zone. */
export function formatDateTime(rfc3339, timeZone) {
  if (!rfc3339) {
    return '–';
  }
  const date = new Date(rfc3339);
  if (Number.isNaN(date.getTime())) {
    return rfc3339;
  }
  try {
    return new Intl.DateTimeFormat('en-GB', {
      dateStyle: 'medium',
      timeStyle: 'short',
      timeZone,
    }).format(date);
  } catch {
    return date.toISOString();
  }
}

// Steps kept at each end of a long path; the ones between are counted instead.
const PATH_HEAD = 3;
const PATH_TAIL = 4;

/**
 * Splits a path into the steps shown at its start and end and the number of
 * steps between them. A short path is shown whole, with `hidden` 0.
 */
export function splitPath(steps) {
  if (steps.length <= PATH_HEAD + PATH_TAIL + 1) {
    return { head: steps, hidden: 0, tail: [] };
  }
  return { head: steps.slice(0, PATH_HEAD), hidden: steps.length - PATH_HEAD - PATH_TAIL, tail: steps.slice(-PATH_TAIL) };
}

/** Writes a path as steps joined by arrows, with the middle of a long path counted. */
export function formatPath(steps) {
  const { head, hidden, tail } = splitPath(steps);
  const middle = hidden > 0 ? [`… ${formatCount(hidden)} more steps …`] : [];
  return [...head, ...middle, ...tail].join(' → ');
}
