/** The usher command's exit codes: scripts branch on these, so they never change meaning. */
export const ExitCode = Object.freeze({
  ok: 0,
  /** Something nobody planned for: a bug, a full disk. */
  unexpected: 1,
  /** Bad flags, a missing URL or key, an unreadable file: fix the command line or the profile. */
  usage: 2,
  /** Usher understood and said no (a problem response); stderr says `code: detail (field)`. */
  refused: 3,
  /** An import went through but some rows were invalid; the rest were imported. */
  partial: 4,
  /** No answer from the server: wrong URL, server down, network. */
  unreachable: 5,
});

/** One of the codes above. */
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** The table printed at the end of `usher --help`. */
export const EXIT_CODES_HELP = `Exit codes:
  0  ok
  1  unexpected failure
  2  usage or configuration error (bad flags, no URL or API key)
  3  refused by the server (stderr: code: detail (field))
  4  partial: an import had invalid rows (the others were imported)
  5  cannot reach the server`;
