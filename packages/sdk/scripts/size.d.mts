export declare const BUDGETS: { client: number; widgets: number };
export declare function measure(): Promise<Record<"client" | "sdk" | "widgets", { min: number; gzip: number }>>;
