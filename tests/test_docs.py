"""README.md, docs/ and the folders' READMEs stay true: every file of the
repository they name exists, and every option their shell commands give a tool
is one that tool defines."""
import glob
import os
import os.path as osp
import re

from conftest import ROOT


def _markdown_files():
    """README.md, docs/*.md and the READMEs of the package, tools, configs,
    demo and tests folders (not what a run, a dataset or a virtualenv put there)."""
    found = ['README.md'] + [osp.relpath(p, ROOT)
                             for p in glob.glob(osp.join(ROOT, 'docs', '*.md'))]
    for top in ('pyskl', 'tools', 'configs', 'demo', 'tests'):
        for dirpath, dirs, files in os.walk(osp.join(ROOT, top)):
            dirs[:] = [d for d in dirs if not d.startswith(('.', '__'))]
            found += [osp.relpath(osp.join(dirpath, f), ROOT) for f in files if f == 'README.md']
    return sorted(found)


DOCS = _markdown_files()
PATH = re.compile(r'(?<![\w/.-])((?:configs|tools|demo|pyskl)/[\w./+-]+\.(?:py|sh))')
# a shell command: a tool of the repository and the words after it
COMMAND = re.compile(r'((?:tools|demo)/[\w./-]+\.(?:py|sh))([^;&|]*)')
FLAG = re.compile(r'(?<![\w-])(--[a-z][\w-]*)')
# the launchers pass their options on to these
LAUNCHES = {'tools/dist_train.sh': 'tools/train.py', 'tools/dist_test.sh': 'tools/test.py'}
# placeholders in names: configs/X/X_1xb16-S-..., stgcnpp_1xb16-M-... (a single capital)
PLACEHOLDER = re.compile(r'(?<![A-Za-z])[A-Z](?![A-Za-z])')


def _read(rel, root=ROOT):
    with open(osp.join(root, rel), encoding='utf-8') as f:
        return f.read()


def shell_commands(text):
    """The lines of the shell code blocks of a Markdown text, backslash
    continuations joined."""
    blocks = re.findall(r'```(?:shell|bash|sh|console)?\n(.*?)```', text, re.S)
    return [line for b in blocks for line in b.replace('\\\n', ' ').splitlines()]


def bad_references(docs=DOCS, doc_root=ROOT):
    """``(document, what, why)`` for each file of the repository named in the
    documents (paths relative to ``doc_root``) that does not exist and each
    ``--option`` of a command that its tool does not define."""
    bad = []
    for doc in docs:
        text = _read(doc, doc_root)
        for path in sorted(set(PATH.findall(text))):
            if not PLACEHOLDER.search(path) and not osp.exists(osp.join(ROOT, path)):
                bad.append((doc, path, 'no such file'))
        for line in shell_commands(text):
            for tool, rest in COMMAND.findall(line):
                if not osp.exists(osp.join(ROOT, tool)):
                    continue                         # reported above
                src = _read(LAUNCHES.get(tool, tool))
                for flag in FLAG.findall(rest):
                    if f"'{flag}'" not in src and f'"{flag}"' not in src:
                        bad.append((doc, f'{tool} {flag}', 'the tool has no such option'))
    return bad


def test_docs_name_existing_files_and_options():
    bad = bad_references()
    assert not bad, '\n'.join(f'{d}: {w}: {why}' for d, w, why in bad)


def test_checker_finds_a_wrong_option_and_a_missing_file(tmp_path):
    doc = tmp_path / 'doc.md'
    doc.write_text('Run `configs/stgcnpp/nothing_here.py`:\n\n```shell\n'
                   'python tools/train.py configs/X/X.py \\\n    --work-dir w --no-such-flag\n'
                   'bash tools/dist_test.sh C K 2 --dump r.pkl --eval top_k_accuracy\n```\n')
    bad = bad_references(docs=['doc.md'], doc_root=str(tmp_path))
    assert sorted((w, why) for _, w, why in bad) == [
        ('configs/stgcnpp/nothing_here.py', 'no such file'),
        ('tools/train.py --no-such-flag', 'the tool has no such option')]
