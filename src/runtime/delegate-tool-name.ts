export const DELEGATE_TOOL_NAME = 'delegate';
