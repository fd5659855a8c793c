// Builds a PythonException from parsed parts and picks the frame of the script's own code.
import type { PythonException, PythonFrame } from './python-traceback.js';

/** Site-packages, dist-packages, the standard library (Unix and Windows), console-script launchers, frozen modules. */
const LIBRARY_FILES = [
  /[\\/](?:site|dist)-packages[\\/]/,
  /[\\/]lib[\\/]python\d+(?:\.\d+)?[\\/]/,
  /[\\/]Lib[\\/]/,
  /[\\/]bin[\\/][^\\/]+$/,
  /^<frozen /,
];

export function isLibraryFile(file: string): boolean {
  return LIBRARY_FILES.some((pattern) => pattern.test(file));
}

export function buildPythonException(type: string, message: string, frames: PythonFrame[]): PythonException {
  const exception: PythonException = { type, message, frames };
  const frame = frames[frames.length - 1];
  if (frame) exception.frame = frame;
  const userFrame = innermostUserFrame(frames);
  if (userFrame) exception.userFrame = userFrame;
  return exception;
}

function innermostUserFrame(frames: readonly PythonFrame[]): PythonFrame | undefined {
  for (let index = frames.length - 1; index >= 0; index -= 1) {
    const frame = frames[index];
    if (frame && !isLibraryFile(frame.file)) return frame;
  }
  return undefined;
}
