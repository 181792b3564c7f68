/** One installed language, as a worker announces it and GET /v1/languages lists it. */
export interface LanguageInfo {
  id: string;
  name: string;
  aliases: string[];
  version: string;
  compiled: boolean;
}
