// The typed client lands with the SDK issue; this package reserves its place in the workspace.
export {};
