// The baselines ship no types.
declare module "vader-sentiment" {
  const vader: { SentimentIntensityAnalyzer: { polarity_scores(text: string): { compound: number } } };
  export default vader;
}
declare module "@nlpjs/lang-de" {
  export const LangDe: unknown;
}
declare module "@nlpjs/sentiment" {
  export class SentimentAnalyzer {
    container: { use(plugin: unknown): void };
    process(input: { locale: string; text: string }): Promise<{ sentiment: { score: number } }>;
  }
}
