export type SandboxErrorCode = 'RangeInUse' | 'NameInUse' | 'InvalidArgument' | 'ProcessesRemain';

export class SandboxError extends Error {
  override name = 'SandboxError';
  readonly code: SandboxErrorCode;
  constructor(code: SandboxErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
