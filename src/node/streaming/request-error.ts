// Errors that become an HTTP answer from the streaming server, carrying a metav1.Status-shaped body.

export class RequestError extends Error {
  readonly code = 'ERR_STREAMING_REQUEST';
  readonly statusCode: number;
  readonly reason: string;
  constructor(statusCode: number, reason: string, message: string) {
    super(message);
    this.name = 'RequestError';
    this.statusCode = statusCode;
    this.reason = reason;
  }
}

export function statusBody(statusCode: number, reason: string, message: string): string {
  return JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code: statusCode });
}
