"""The words of an announcement (a code block, a table, an omitted image, a note), in each language we read.

Ingest words a cue in English for the block's text; the text stage words it again in the language the voice
reads, so a French book read by the French model says "Tableau", not "Table". Numbers stay digits here: the
normaliser reads them in the same language. A language without a table here is announced in English.
"""

from __future__ import annotations

from dataclasses import dataclass

from audiobook_tts.ingest.book import Cue


@dataclass(frozen=True)
class CueWords:
    note: str  # before a footnote read aloud
    code: str  # "{count}" lines of code, not read
    table: str  # a table's title word
    columns: str
    not_read: str
    line: tuple[str, str]  # singular, plural
    row: tuple[str, str]
    omitted: dict[str, str]  # a placeholder's thing -> "Image omitted"


CUE_WORDS: dict[str, CueWords] = {
    "en": CueWords(
        "Note:",
        "Code example",
        "Table",
        "Columns",
        "not read",
        ("line", "lines"),
        ("row", "rows"),
        {
            "table": "Table omitted",
            "image": "Image omitted",
            "figure": "Figure omitted",
            "video": "Video omitted",
            "audio": "Audio omitted",
            "embed": "Embedded content omitted",
            "math": "Math omitted",
            "code": "Code omitted",
        },
    ),
    "fr": CueWords(
        "Note :",
        "Exemple de code",
        "Tableau",
        "Colonnes",
        "non lu",
        ("ligne", "lignes"),
        ("ligne", "lignes"),
        {
            "table": "Tableau omis",
            "image": "Image omise",
            "figure": "Figure omise",
            "video": "Vidéo omise",
            "audio": "Audio omis",
            "embed": "Contenu intégré omis",
            "math": "Formule omise",
            "code": "Code omis",
        },
    ),
    "de": CueWords(
        "Anmerkung:",
        "Codebeispiel",
        "Tabelle",
        "Spalten",
        "nicht vorgelesen",
        ("Zeile", "Zeilen"),
        ("Zeile", "Zeilen"),
        {
            "table": "Tabelle ausgelassen",
            "image": "Bild ausgelassen",
            "figure": "Abbildung ausgelassen",
            "video": "Video ausgelassen",
            "audio": "Audio ausgelassen",
            "embed": "Eingebetteter Inhalt ausgelassen",
            "math": "Formel ausgelassen",
            "code": "Code ausgelassen",
        },
    ),
    "it": CueWords(
        "Nota:",
        "Esempio di codice",
        "Tabella",
        "Colonne",
        "non letto",
        ("riga", "righe"),
        ("riga", "righe"),
        {
            "table": "Tabella omessa",
            "image": "Immagine omessa",
            "figure": "Figura omessa",
            "video": "Video omesso",
            "audio": "Audio omesso",
            "embed": "Contenuto incorporato omesso",
            "math": "Formula omessa",
            "code": "Codice omesso",
        },
    ),
    "es": CueWords(
        "Nota:",
        "Ejemplo de código",
        "Tabla",
        "Columnas",
        "no leído",
        ("línea", "líneas"),
        ("fila", "filas"),
        {
            "table": "Tabla omitida",
            "image": "Imagen omitida",
            "figure": "Figura omitida",
            "video": "Vídeo omitido",
            "audio": "Audio omitido",
            "embed": "Contenido incrustado omitido",
            "math": "Fórmula omitida",
            "code": "Código omitido",
        },
    ),
    "pt": CueWords(
        "Nota:",
        "Exemplo de código",
        "Tabela",
        "Colunas",
        "não lido",
        ("linha", "linhas"),
        ("linha", "linhas"),
        {
            "table": "Tabela omitida",
            "image": "Imagem omitida",
            "figure": "Figura omitida",
            "video": "Vídeo omitido",
            "audio": "Áudio omitido",
            "embed": "Conteúdo incorporado omitido",
            "math": "Fórmula omitida",
            "code": "Código omitido",
        },
    ),
    "nl": CueWords(
        "Noot:",
        "Codevoorbeeld",
        "Tabel",
        "Kolommen",
        "niet voorgelezen",
        ("regel", "regels"),
        ("rij", "rijen"),
        {
            "table": "Tabel weggelaten",
            "image": "Afbeelding weggelaten",
            "figure": "Figuur weggelaten",
            "video": "Video weggelaten",
            "audio": "Audio weggelaten",
            "embed": "Ingesloten inhoud weggelaten",
            "math": "Formule weggelaten",
            "code": "Code weggelaten",
        },
    ),
}


def cue_words(language: str) -> CueWords:
    """The words for `language` ("fr", "fr-CA"), else English."""
    return CUE_WORDS.get(language.split("-")[0].lower(), CUE_WORDS["en"])


def _counted(count: int, forms: tuple[str, str]) -> str:
    return f"{count} {forms[0] if count == 1 else forms[1]}"


def word_cue(cue: Cue, language: str = "en") -> str:
    """`cue` as it is said: "Code example: 5 lines, not read.", "Table: Prices. Columns: item, price.",
    "Image omitted"."""
    words = cue_words(language)
    if cue.thing == "code" and cue.count:
        return f"{words.code}: {_counted(cue.count, words.line)}, {words.not_read}."
    if cue.thing == "table" and (cue.count or cue.read):
        title = f"{words.table}: {cue.caption}" if cue.caption else words.table
        if not cue.read:
            return f"{title}, {_counted(cue.count, words.row)}, {words.not_read}."
        columns = f" {words.columns}: {', '.join(cue.columns)}." if cue.columns else ""
        return f"{title}.{columns}"
    return f"[{words.omitted.get(cue.thing, words.omitted['image'])}]"
