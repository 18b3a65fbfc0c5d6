/** The content types of an import body: one product create per line. */
export const importContentTypes = ['application/x-ndjson', 'application/jsonl'] as const;

/** Documentation only: the body is a stream, spooled and checked line by line, never parsed whole. */
export const importBody = {
  type: 'string',
  description:
    'NDJSON: one product per line, each the body POST /admin/v1/products takes; blank lines are skipped.',
} as const;

export const importHeaders = {
  type: 'object',
  properties: {
    'idempotency-key': {
      type: 'string',
      maxLength: 255,
      description: 'A retry with the same key and the same content returns the same import.',
    },
    'x-correlation-id': { type: 'string', maxLength: 128 },
  },
} as const;

export const importIdParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', format: 'uuid' } },
} as const;

export const importAccepted = {
  type: 'object',
  required: ['importId'],
  properties: { importId: { type: 'string', format: 'uuid' } },
} as const;

export const importProgress = {
  type: 'object',
  required: [
    'importId',
    'state',
    'done',
    'bytesTotal',
    'bytesProcessed',
    'linesRead',
    'accepted',
    'rejected',
    'rejections',
    'createdAt',
  ],
  properties: {
    importId: { type: 'string', format: 'uuid' },
    state: { type: 'string', enum: ['receiving', 'processing', 'completed', 'failed'] },
    done: { type: 'boolean', description: 'completed or failed: nothing will change any more' },
    bytesTotal: { type: 'integer' },
    bytesProcessed: { type: 'integer' },
    linesRead: { type: 'integer', description: 'lines read so far, blank ones included' },
    accepted: { type: 'integer' },
    rejected: { type: 'integer' },
    rejections: {
      type: 'array',
      description: 'the first 1000 rejected lines, by line number (1-based)',
      items: {
        type: 'object',
        required: ['line', 'reason'],
        properties: { line: { type: 'integer' }, reason: { type: 'string' } },
      },
    },
    rejectionsTruncated: { type: 'boolean', description: 'present when more lines were rejected' },
    error: { type: 'string', description: 'why a failed import stopped' },
    createdAt: { type: 'string', format: 'date-time' },
    finishedAt: { type: 'string', format: 'date-time' },
  },
} as const;
