// Generated from libs/languages/languages.json by scripts/cli-languages.js (npm run languages:cli). Do not edit.
// prettier-ignore
export const LANGUAGE_TABLE = {
  "python": { aliases: ["py","python3"], sourceFile: "main.py", sourceExtensions: [".py"] },
  "javascript": { aliases: ["js","node","nodejs"], sourceFile: "main.js", sourceExtensions: [".js",".mjs",".cjs"] },
  "bash": { aliases: ["sh","shell"], sourceFile: "main.sh", sourceExtensions: [".sh"] },
  "c": { aliases: ["gcc","c17"], sourceFile: "main.c", sourceExtensions: [".c"] },
  "cpp": { aliases: ["c++","g++","cpp17"], sourceFile: "main.cpp", sourceExtensions: [".cpp",".cc",".cxx"] },
  "java": { aliases: ["java17","jdk"], sourceFile: "Main.java", sourceExtensions: [".java"] },
  "ruby": { aliases: ["rb"], sourceFile: "main.rb", sourceExtensions: [".rb"] },
  "go": { aliases: ["golang"], sourceFile: "main.go", sourceExtensions: [".go"] },
  "rust": { aliases: ["rs","rustc"], sourceFile: "main.rs", sourceExtensions: [".rs"] },
  "lua": { aliases: ["lua5.4"], sourceFile: "main.lua", sourceExtensions: [".lua"] },
  "perl": { aliases: ["pl","perl5"], sourceFile: "main.pl", sourceExtensions: [".pl",".pm"] },
  "typescript": { aliases: ["ts","tsc"], sourceFile: "main.ts", sourceExtensions: [".ts"] },
  "csharp": { aliases: ["cs","c#","mono"], sourceFile: "main.cs", sourceExtensions: [".cs"] },
  "php": { aliases: ["php8"], sourceFile: "main.php", sourceExtensions: [".php"] },
  "pascal": { aliases: ["fpc","freepascal","pas"], sourceFile: "main.pas", sourceExtensions: [".pas",".pp"] },
  "octave": { aliases: ["matlab"], sourceFile: "main.m", sourceExtensions: [".m"] },
} as const;
