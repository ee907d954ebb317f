"""The ``catalyse`` command line."""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import warnings
from pathlib import Path

from ingest.errors import CatalyseError
from ingest.settings import Settings, apply_thread_settings


def _filters(args):
    from ingest.glossary import PARAMS
    from search.filters import Filters

    return Filters(**{param: getattr(args, param) or [] for param in PARAMS})


LABELS = {"added": "ajouté", "updated": "mis à jour", "unchanged": "inchangé", "removed": "retiré",
          "refused": "refusé"}
SUMMARY = {"added": "ajoutés", "updated": "mis à jour", "unchanged": "inchangés", "refused": "refusés"}
LISTED_UP_TO = 20       # more documents than this: the summary alone, not a line each


def _print_changes(changes, progress=None) -> None:
    """A line per document (for a few), then the summary: counts by outcome, passages and speed,
    the refused files with their reason, the pages that could not be read."""
    if len(changes) <= LISTED_UP_TO:
        for c in changes:
            print(f"{c.doc_id} : {LABELS.get(c.status, c.status)} ({c.passages} passages)"
                  + (f" — {c.reason}" if c.reason else ""))
    if progress is None:
        return
    counts = {status: [c for c in changes if c.status == status] for status in SUMMARY}
    print(f"\nRésumé ({len(changes)} documents, {progress.passages} passages indexés en "
          f"{progress.elapsed:.0f} s, {progress.passages_per_s:.1f} passages/s)")
    for status, found in counts.items():
        print(f"  {SUMMARY[status]:<12} {len(found):>6}   {sum(c.passages for c in found):>7} passages")
    for c in counts["refused"]:
        print(f"  refusé : {c.doc_id} ({c.reason}) — {c.message}")
    for c in changes:
        for warning in c.warnings:
            print(f"  avertissement : {c.doc_id} — {warning}")


def _progress_bar():
    """One bar for the whole run: documents, passages, speed and time left."""
    import time

    from tqdm import tqdm

    from ingest.progress import Progress

    bar = tqdm(total=0, unit="doc", file=sys.stderr, dynamic_ncols=True, leave=False,
               bar_format="{desc}{percentage:3.0f}%|{bar}| {n:.0f}/{total} documents [{elapsed}<{remaining}{postfix}]")
    shown = [0.0]

    def show(p) -> None:
        if time.monotonic() - shown[0] < 0.1 and p.done < p.documents:
            return
        shown[0] = time.monotonic()
        bar.total, bar.n = p.documents, min(p.done, p.documents)
        bar.set_description_str(f"{p.step[:40]:<40} ", refresh=False)
        bar.set_postfix_str(f"{p.passages} passages, {p.passages_per_s:.1f} passages/s", refresh=False)
        bar.refresh()

    return Progress(listeners=[show]), bar


def cmd_ingest(ctx, args):
    from index.indexer import publications

    paths = [Path(p) for p in args.paths] or [ctx.settings.corpus_dir]
    files = [f for p in paths for f in (publications(p) if p.is_dir() else [p])]
    if not files:
        raise CatalyseError(f"aucune publication dans {', '.join(map(str, paths))}")
    indexer = ctx.indexer
    if args.ray:
        from index.indexer import Indexer
        from ingest.distributed import RayIngestor, connect_ray

        connect_ray(args.ray)
        indexer = Indexer(ctx.settings.data_dir, RayIngestor(indexer.ingestor))
    progress, bar = _progress_bar()
    try:
        changes = indexer.add([(f, None) for f in files], progress=progress, keep_going=True)
    finally:
        bar.close()
    _print_changes(changes, progress)
    if changes and all(c.status == "refused" for c in changes):
        raise CatalyseError("aucune publication n'a pu être lue", "all_refused")


def cmd_add(ctx, args):
    from ingest.readers import load_metadata

    path = Path(args.file)
    if not path.is_file():
        raise CatalyseError(f"fichier introuvable : {path}")
    meta = load_metadata(path, Path(args.meta)) if args.meta else None
    if args.meta and not Path(args.meta).is_file():
        raise CatalyseError(f"fichier de métadonnées introuvable : {args.meta}")
    progress, bar = _progress_bar()
    try:
        changes = ctx.indexer.add([(path, meta)], progress=progress)
    finally:
        bar.close()
    _print_changes(changes, progress)


def cmd_remove(ctx, args):
    _print_changes([ctx.indexer.remove(args.doc_id)])


def cmd_reindex(ctx, args):
    progress, bar = _progress_bar()
    try:
        changes = ctx.indexer.reindex(progress=progress)
    finally:
        bar.close()
    _print_changes(changes, progress)


def cmd_search(ctx, args):
    from search.answer import answer

    shown = answer(ctx.searcher(), args.query, k=args.k, filters=_filters(args))
    if args.json:
        print(json.dumps({key: shown[key] for key in ("total", "results", "message", "suggestions")},
                         ensure_ascii=False, indent=2))
        return
    if not shown["results"]:
        print(shown["message"] or "Aucun passage.")
        suggestions = shown["suggestions"] or {}
        if suggestions.get("corrected"):
            print(f"Essayez : {suggestions['corrected']}")
        for example in suggestions.get("examples", []):
            print(f"Par exemple : {example}")
        return
    print(f"{shown['total']} passages pertinents")
    for rank, r in enumerate(shown["results"], 1):
        who = f" — {r['speaker']}" + (f" ({r['organisation']})" if r["organisation"] else "") if r["speaker"] else ""
        where = f", {r['location']}" if r["location"] else ""
        print(f"{rank}. [{r['score']:.3f}] {r['doc_id']}{where}{who}")
        print(f"   {r['section']}")
        print(f"   {' '.join(r['text'].split())[:300]}")


def cmd_actors(ctx, args):
    from search.actors import find_actors

    found = find_actors(ctx.searcher(), args.name, _filters(args), args.kind, args.page, args.per_page)
    if args.json:
        print(json.dumps(found, ensure_ascii=False, indent=2))
        return
    print(f"{found['total']} acteurs")
    for a in found["actors"]:
        org = f" — {a['organisation']['name']}" if a["organisation"] else ""
        role = f", {a['role']}" if a["role"] else ""
        print(f"{a['name']}{role}{org} ({a['passages']} passages, p. {', '.join(map(str, a['pages'][:10]))}) [{a['id']}]")


def cmd_eval(ctx, args):
    from search.evaluation import ask_engine, evaluate, format_report, load_queries

    ask = ask_engine(ctx.searcher())

    reports = {}
    for path in args.queries:
        reports[Path(path).name] = report = evaluate(ask, load_queries(Path(path)), k=args.k, rule=args.rule)
        if args.json:
            continue
        print(f"== {Path(path).name}")
        if args.verbose:
            for q in report["queries"]:
                print(f"{q['id']:6} {q['question_type']:14} nDCG {q['ndcg']:.3f}  R {q['recall']:.2f}  MRR {q['mrr']:.2f}  "
                      f"overview {q['overview_items']:.2f}")
            for q in report.get("nonsense", {}).get("queries", []):
                print(f"{q['id']:6} {'nonsense':14} total {q['total']}  overview {'oui' if q['overview'] else 'non'}"
                      f"  {'ok' if q['passed'] else 'ÉCHEC'}")
        print(format_report(report))
    if args.json:
        print(json.dumps(reports, ensure_ascii=False, indent=2))


def cmd_serve(ctx, args):
    import uvicorn

    from api import logs
    from api.app import create_app
    from api.service import Service

    try:  # JSON lines (or text) on stderr, at CATALYSE_LOG_LEVEL; the server's own errors alike
        handler = logs.configure()
    except ValueError as exc:
        raise CatalyseError(str(exc), "bad_setting") from None
    server_log = logging.getLogger("uvicorn.error")
    server_log.addHandler(handler)
    server_log.propagate = False
    print(f"Catalyse : http://{args.host}:{args.port} (index dans {ctx.settings.data_dir})", file=sys.stderr)
    # requests are logged by the app (api/observability.py), one line each: no access log of the server's
    service = Service(ctx)
    uvicorn.run(create_app(service), host=args.host, port=args.port, log_config=None, access_log=False,
                log_level="warning", **service.config.server_options())


def cmd_backup(ctx, args):
    from api.backup import backup

    path, manifest = backup(ctx.settings.data_dir, Path(args.dest))
    index = manifest["index"]
    size = sum(f["size"] for f in manifest["files"])
    print(f"sauvegarde : {path} ({len(manifest['files'])} fichiers, {size / 1e6:.1f} Mo ; instantané "
          f"{index['snapshot']}, {index['documents']} publications, modèle {index['model']})")


def cmd_restore(ctx, args):
    from api.backup import restore

    manifest = restore(Path(args.archive), ctx.settings.data_dir, ctx.settings.model)
    index = manifest["index"]
    print(f"restauré dans {ctx.settings.data_dir} : instantané {index['snapshot']} du {manifest['created']}, "
          f"{index['documents']} publications")


def cmd_prepare(ctx, args):
    """The questions' engine made ready once (the default model converted and its graph exported into
    the model cache), so that a first `serve` does not spend those 20 s before answering."""
    engine = ctx.embedder.engine
    print(f"modèle prêt : {ctx.embedder.identity} ; questions par {engine.identity}")


def cmd_stats(ctx, args):
    print(json.dumps(ctx.index().stats(), ensure_ascii=False, indent=2))


def cmd_train_tags(ctx, args):
    from ingest.tag_model import MODEL_FILE, TrainingSet, load_rows
    from ingest.tag_training import (cross_validated_predictions, figures, format_figures, train,
                                     zero_shot_predictions)
    from ingest.tagger import Tagger

    from ingest.corrections import Corrections, supersede

    # the editors' confirmed passages of the data directory join (or replace) the labelled ones
    extra = [] if args.without_corrections else Corrections.load(ctx.settings.data_dir).training_rows()
    rows = supersede(load_rows(Path(args.data), extra) if args.data else load_rows(extra=extra))
    if extra:
        print(f"{len(extra)} passages confirmés par les éditeurs ({ctx.settings.data_dir})")
    ts = TrainingSet.build(rows, ctx.embedder)
    if args.cv:
        if args.zero_shot:
            print(format_figures(figures(ts, zero_shot_predictions(ts, Tagger(ctx.embedder, model=None))), "sans apprentissage"))
        print(format_figures(figures(ts, cross_validated_predictions(ts)), "appris"))
        return
    model = train(ts, ctx.embedder.name)
    out = Path(args.out) if args.out else MODEL_FILE
    model.save(out)
    print(f"modèle d'étiquetage {model.name} ({len(rows)} passages, vecteurs de {model.model}) : {out}")


def _common(p: argparse.ArgumentParser, default=None) -> argparse.ArgumentParser:
    p.add_argument("--data-dir", default=default, help="dossier des index (défaut : $CATALYSE_DATA_DIR ou ./data)")
    p.add_argument("--corpus", default=default, help="dossier des publications (défaut : $CATALYSE_CORPUS_DIR ou corpus/)")
    p.add_argument("--model", default=default, help="modèle sentence-transformers (défaut : multilingual-e5-small)")
    return p


def parser() -> argparse.ArgumentParser:
    p = _common(argparse.ArgumentParser(prog="catalyse", description="Capitalisation et recherche sémantique des publications."))
    # the same options are accepted after the command too: `catalyse serve --data-dir D`
    common = _common(argparse.ArgumentParser(add_help=False), default=argparse.SUPPRESS)
    sub = p.add_subparsers(dest="command", required=True)
    add_parser = sub.add_parser
    sub.add_parser = lambda *a, **kw: add_parser(*a, parents=[common], **kw)

    _editing_and_reading(sub)
    _measuring_and_running(sub)
    return p


def _editing_and_reading(sub) -> None:
    s = sub.add_parser("ingest", help="indexer les publications d'un dossier (le corpus par défaut)")
    s.add_argument("paths", nargs="*")
    s.add_argument("--ray", metavar="ADDRESS", help="lire, découper et vectoriser sur un cluster Ray (adresse, « auto », "
                   "ou « local » : un nœud dans ce processus) ; extra catalyse[ray]")
    s.set_defaults(run=cmd_ingest)
    s = sub.add_parser("add", help="ajouter ou mettre à jour une publication")
    s.add_argument("file")
    s.add_argument("--meta", help="fichier JSON de métadonnées")
    s.set_defaults(run=cmd_add)
    s = sub.add_parser("remove", help="retirer une publication")
    s.add_argument("doc_id")
    s.set_defaults(run=cmd_remove)
    s = sub.add_parser("reindex", help="reconstruire l'index depuis les originaux conservés")
    s.set_defaults(run=cmd_reindex)
    s = sub.add_parser("search", help="poser une question")
    s.add_argument("query")
    s.add_argument("--json", action="store_true")
    s.add_argument("--k", type=int, default=10)
    for flag in ("lever", "trade", "entry-point", "doc", "lang"):
        s.add_argument(f"--{flag}", action="append")
    s.add_argument("--sdg", action="append", type=int)
    s.set_defaults(run=cmd_search)
    s = sub.add_parser("actors", help="l'annuaire des acteurs (« Qui fait quoi »)")
    s.add_argument("name", nargs="?", default="", help="mots du nom")
    s.add_argument("--kind", choices=["person", "organisation"])
    s.add_argument("--json", action="store_true")
    s.add_argument("--page", type=int, default=1)
    s.add_argument("--per-page", type=int, default=20)
    for flag in ("lever", "trade", "entry-point", "doc", "lang"):
        s.add_argument(f"--{flag}", action="append")
    s.add_argument("--sdg", action="append", type=int)
    s.set_defaults(run=cmd_actors)


def _measuring_and_running(sub) -> None:
    s = sub.add_parser("eval", help="mesurer la qualité sur des fichiers de questions (JSONL)")
    s.add_argument("queries", nargs="+")
    s.add_argument("--rule", choices=["v2", "v1"], default="v2",
                   help="règle de notation (v1 : seulement pour comparer aux anciens chiffres)")
    s.add_argument("--k", type=int, default=10)
    s.add_argument("--json", action="store_true")
    s.add_argument("--verbose", "-v", action="store_true")
    s.set_defaults(run=cmd_eval)
    s = sub.add_parser("serve", help="servir la page de recherche, le widget et l'API")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8000)
    s.set_defaults(run=cmd_serve)
    s = sub.add_parser("train-tags", help="entraîner l'étiqueteur sur les passages étiquetés (--cv : le mesurer)")
    s.add_argument("--cv", action="store_true", help="validation croisée groupée (5 plis) au lieu d'entraîner")
    s.add_argument("--zero-shot", action="store_true", help="avec --cv : mesurer aussi l'étiqueteur sans apprentissage")
    s.add_argument("--data", help="passages étiquetés (JSONL ; défaut : ingest/taxonomy/labelled/labelled.jsonl)")
    s.add_argument("--out", help="fichier du modèle (défaut : ingest/taxonomy/tagger-model.npz)")
    s.add_argument("--without-corrections", action="store_true",
                   help="sans les passages confirmés par les éditeurs (corrections.jsonl du dossier des index)")
    s.set_defaults(run=cmd_train_tags)
    s = sub.add_parser("backup", help="sauvegarder l'index, les originaux et les registres dans une archive")
    s.add_argument("dest", help="fichier .tar à écrire, ou dossier où l'écrire")
    s.set_defaults(run=cmd_backup)
    s = sub.add_parser("restore", help="restaurer une archive de « catalyse backup » (vérifiée avant)")
    s.add_argument("archive")
    s.set_defaults(run=cmd_restore)
    s = sub.add_parser("stats", help="ce que contient l'index")
    s.set_defaults(run=cmd_stats)
    s = sub.add_parser("prepare", help="préparer le modèle une fois (conversion, export du moteur des questions)")
    s.set_defaults(run=cmd_prepare)


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    warnings.filterwarnings("ignore")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    apply_thread_settings()
    from api.context import Context

    settings = Settings().with_(data_dir=Path(args.data_dir) if args.data_dir else None,
                                corpus_dir=Path(args.corpus) if args.corpus else None, model=args.model)
    try:
        args.run(Context(settings), args)
    except CatalyseError as exc:
        print(f"erreur ({exc.code}) : {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrompu", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into `head`
        sys.stderr.close()
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
