#!/usr/bin/env python
"""Build the project's spaCy pipeline (`make spacy-model`): our jieba tokenizer + a text classifier.

Training examples, all kept apart from the held-out dev set (tests/extraction/data/devset.jsonl, split=test):
  1. training/spacy/examples.jsonl — hand-written examples, including messages with no domain (NONE);
  2. the dev set's training part (split=train), labelled with its sub_code (or NONE);
  3. training/spacy/validation.jsonl — the hand-labelled validation messages (used to tune the rules before they
     were added here), labelled with their sub_code (or NONE);
  4. training/spacy/fresh.jsonl — a blind batch of colloquial, shop-floor-jargon needs (scored with a model that
     had not seen it before it was added here), labelled likewise;
  4b. training/spacy/formal.jsonl — needs in the formal register (news about cooperation, 揭榜 titles,
     announcements), written for training and kept apart from tests/extraction/data/published*.jsonl;
  5. short sentences made from every taxonomy keyword and description with a few colloquial templates,
     so a term staff add to taxonomy.yml is learnt on the next build;
  6. answers that name no domain (budget, deadline, cooperation mode, partner, contact details), composed from
     the phrase lists below, so the classifier learns NONE for the constraint-only replies of an interview.
Runs spaCy's `train` (spacy.cli.train) on training/spacy/config.cfg and installs the best model in models/spacy.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import time
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TRAINING_DIR = ROOT / "training" / "spacy"
DEVSET = ROOT / "tests" / "extraction" / "data" / "devset.jsonl"
VALIDATION = TRAINING_DIR / "validation.jsonl"
FRESH = TRAINING_DIR / "fresh.jsonl"
FORMAL = TRAINING_DIR / "formal.jsonl"
PUBLISHED = ROOT / "tests" / "extraction" / "data" / "published.jsonl"
PUBLISHED_MORE = ROOT / "tests" / "extraction" / "data" / "published_more.jsonl"
NONE_LABEL = "NONE"
TEMPLATES = (
    "{a}",
    "想解决{a}方面的问题",
    "我们需要{a}相关的技术",
    "{a}做不好，想找专家",
    "有没有做{a}的团队",
    "{a}和{b}的需求",
    "求{a}技术，{b}也行",
    "公司想上{a}项目",
    "{a}效果不好怎么改进",
)

# Pieces of the interview's constraint-only answers (NONE): each synthetic answer joins one to three of them.
NONE_PIECES = {
    "budget": (
        "预算50万左右",
        "经费二三十万",
        "大概100个",
        "费用面议",
        "钱不是问题",
        "预算还没定",
        "十万以内",
        "控制在80w以内",
        "两三百万都可以",
        "预算有限",
        "先投个五六万试试",
        "总包500万",
        "费用可以商量",
        "看方案报价",
        "研发经费一年200万",
    ),
    "timeline": (
        "年底前",
        "明年上半年",
        "三个月内",
        "越快越好",
        "不急",
        "半年左右",
        "下个月就要",
        "国庆前",
        "一年以内",
        "明年6月前完成",
        "时间看情况",
        "两年的项目周期",
        "春节前出样",
        "Q3之前",
        "后年验收",
    ),
    "coop": (
        "委托开发",
        "合作开发",
        "技术转让也行",
        "技术许可",
        "技术咨询就可以",
        "技术服务",
        "共建研发中心",
        "人才合作",
        "合作方式都可以",
        "一次性买断",
        "按阶段付款",
        "先签保密协议",
    ),
    "partner": (
        "高校优先",
        "科研院所",
        "企业也行",
        "不限",
        "最好是江浙沪的",
        "本地的优先",
        "清华浙大这种",
        "找个教授团队",
        "有产业化经验的团队",
        "中科院的所",
        "211以上的学校",
        "长三角范围内",
        "想找个大学的老师",
        "最好是省内的研究所",
        "想找北方的院校，北京天津都行",
        "找深圳广州的公司也可以",
        "希望是本市的团队，方便来厂里",
        "想找有这方面经验的专家",
    ),
    "ip": ("知识产权归我们", "专利共有", "成果归企业", "论文老师可以发", "IP可以谈", "专利归双方"),
    "contact": (
        "联系人王工",
        "电话13812345678",
        "手机 186 0000 1111",
        "邮箱 li@abc.com",
        "找张经理",
        "微信同手机号",
        "我姓陈，技术部的",
        "联系我就行",
    ),
}
NONE_JOINERS = ("，", "，", "；", " ", "。")


def none_examples(rng: random.Random, count: int = 400) -> list[tuple[str, str]]:
    """Synthetic constraint-only answers (no technical content) labelled NONE."""
    kinds = list(NONE_PIECES)
    examples = []
    for _ in range(count):
        chosen = rng.sample(kinds, rng.randint(1, 3))
        parts = [rng.choice(NONE_PIECES[kind]) for kind in chosen]
        examples.append((rng.choice(NONE_JOINERS).join(parts), NONE_LABEL))
    return list(dict.fromkeys(examples))


def read_jsonl(path: Path) -> list[dict]:
    """JSON lines, skipping comment records (text starting with #)."""
    with open(path, encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh if line.strip()]
    return [r for r in records if not str(r.get("text", "")).startswith("#")]


def taxonomy_examples(taxonomy, rng: random.Random) -> list[tuple[str, str]]:
    """Templated sentences for every category keyword and description."""
    examples = []
    for category in taxonomy.categories:
        terms = [t for t, _ in category.keywords] + [category.name, *category.aliases]
        examples.append((category.description, category.code))
        for term in terms:
            for template in rng.sample(TEMPLATES, 2):
                examples.append((template.format(a=term, b=rng.choice(terms)), category.code))
    return examples


def labelled(records: Iterable[dict]) -> list[tuple[str, str]]:
    """(text, label) pairs of dev-set-shaped records: the category code, or NONE for a message without one."""
    return [(r["text"], r["sub_code"] or NONE_LABEL) for r in records]


def collect_examples(
    seed: int = 13,
    with_devset: bool = True,
    with_validation: bool = True,
    with_fresh: bool = True,
    with_formal: bool = True,
) -> list[tuple[str, str]]:
    """All (text, label) training pairs; never the dev set's held-out part."""
    from chanyan.extraction.taxonomy import Taxonomy
    from chanyan.extraction.textnorm import fold

    rng = random.Random(seed)
    examples = [(r["text"], r["label"]) for r in read_jsonl(TRAINING_DIR / "examples.jsonl")]
    devset = read_jsonl(DEVSET)
    if with_devset:
        examples += labelled(r for r in devset if r["split"] == "train")
    for path, wanted in ((VALIDATION, with_validation), (FRESH, with_fresh), (FORMAL, with_formal)):
        if wanted and path.exists():
            examples += labelled(read_jsonl(path))
    examples += taxonomy_examples(Taxonomy.load(), rng)
    examples += none_examples(rng)
    # Never the evaluation files: the dev set's held-out part and the whole published-register files.
    held_out = {r["text"] for r in devset if r["split"] == "test"}
    for path in (PUBLISHED, PUBLISHED_MORE):
        if path.exists():
            held_out |= {r["text"] for r in read_jsonl(path)}
    return [(fold(t), label) for t, label in examples if t not in held_out]


def write_docbins(
    examples: list[tuple[str, str]], labels: list[str], out: Path, seed: int = 13
) -> tuple[Path, Path]:
    """Split 90/10 into train/dev DocBins tokenized with our jieba tokenizer."""
    import spacy
    from spacy.tokens import DocBin

    from chanyan.extraction.spacy_pipeline import attach_tokenizer

    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    attach_tokenizer(nlp)
    rng = random.Random(seed)
    rng.shuffle(examples)
    cut = max(1, len(examples) // 10)
    paths = []
    for name, part in (("train", examples[cut:]), ("dev", examples[:cut])):
        db = DocBin()
        for text, label in part:
            doc = nlp.make_doc(text)
            doc.cats = {lab: float(lab == label) for lab in labels}
            db.add(doc)
        path = out / f"{name}.spacy"
        db.to_disk(path)
        paths.append(path)
    return paths[0], paths[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--output", type=Path, default=ROOT / "models" / "spacy")
    parser.add_argument("--build-dir", type=Path, default=ROOT / "models" / "spacy-build")
    parser.add_argument(
        "--without-devset",
        action="store_true",
        help="leave the dev set's training part out too (to tune the rule/model mix on it)",
    )
    parser.add_argument(
        "--without-validation",
        action="store_true",
        help="leave training/spacy/validation.jsonl out (to measure the model on it)",
    )
    parser.add_argument(
        "--without-fresh",
        action="store_true",
        help="leave training/spacy/fresh.jsonl out (to measure the model on it)",
    )
    args = parser.parse_args(argv)

    from chanyan.extraction.taxonomy import Taxonomy

    started = time.time()
    build = args.build_dir
    shutil.rmtree(build, ignore_errors=True)
    build.mkdir(parents=True)
    labels = [c.code for c in Taxonomy.load().categories] + [NONE_LABEL]
    examples = collect_examples(
        with_devset=not args.without_devset,
        with_validation=not args.without_validation,
        with_fresh=not args.without_fresh,
    )
    train, dev = write_docbins(examples, labels, build)
    print(f"{len(examples)} examples, {len(labels)} labels", flush=True)
    # `spacy train`, called through its Python entry point: the CLI's option parsing breaks with the click/typer
    # versions Rasa pins, the training function is the same.
    from spacy.cli._util import import_code
    from spacy.cli.train import train as spacy_train

    import_code(TRAINING_DIR / "functions.py")
    overrides = {"paths.train": str(train), "paths.dev": str(dev)}
    spacy_train(TRAINING_DIR / "config.cfg", build / "out", use_gpu=-1, overrides=overrides)
    best = build / "out" / "model-best"
    staging = args.output.with_name(args.output.name + ".new")
    shutil.rmtree(staging, ignore_errors=True)
    shutil.copytree(best, staging)
    shutil.rmtree(args.output, ignore_errors=True)
    staging.rename(args.output)
    shutil.rmtree(build, ignore_errors=True)
    size = sum(f.stat().st_size for f in args.output.rglob("*") if f.is_file())
    print(f"spaCy model in {args.output}: {size / 1e6:.1f} MB, built in {time.time() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
