/** Bounds that keep hostile input from hanging the editor or the CLI. */
export const LIMITS = {
  /** Nodes a document may expand to, aliases included. */
  maxNodes: 200_000,
  /** Nesting depth of mappings and sequences. */
  maxDepth: 500,
  /** Default file size limit, in UTF-16 code units (about bytes for ASCII). */
  maxFileSize: 5 * 1024 * 1024,
  /** Syntax problems reported per file; the rest are summed up in one more problem. */
  maxProblems: 100,
};
