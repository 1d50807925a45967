"""The chunker against the embedder's tokenizer (the fake embedder counts with MiniLM's own tokenizer.json,
so the counts are the real model's without loading it)."""

from ingest.blocks import Block
from ingest.chunker import ChunkerParams, chunk_blocks, make_header

PARAMS = ChunkerParams(chunk_tokens=120, chunk_overlap=20, max_tokens=256)


def _chunks(blocks, embedder, params=PARAMS):
    return chunk_blocks(blocks, doc_id="d" * 64, title="Test guideline", count_tokens=embedder.count_tokens, params=params)


def test_no_chunk_exceeds_the_embedder_limit_header_included(fake_embedder):
    # A long unbroken "word" and a wall of text with no separators both get cut to fit.
    blocks = [Block(text="artesunate " * 900, section=("1. Treatment",), page=1),
              Block(text="x" * 5000, section=("1. Treatment",), page=2)]
    chunks = _chunks(blocks, fake_embedder)
    assert chunks
    for chunk in chunks:
        assert fake_embedder.count_tokens(f"{chunk.header}\n{chunk.text}") <= 256
        assert chunk.n_tokens <= 256


def test_chunks_never_cross_sections_and_keep_page_spans(fake_embedder):
    blocks = [
        Block(text="\n".join(["Dose: give 3 mg/kg."] * 8), section=("A",), page=4, page_label="2"),
        Block(text="\n".join(["Continued on the next page."] * 3), section=("A",), page=5, page_label="3"),
        Block(text="\n".join(["Referral criteria."] * 5), section=("B",), page=5, page_label="3"),
    ]
    chunks = _chunks(blocks, fake_embedder)
    assert {c.section for c in chunks} == {("A",), ("B",)}
    for chunk in chunks:
        assert chunk.page_start is not None and chunk.page_start <= chunk.page_end
        if chunk.section == ("B",):
            assert (chunk.page_start, chunk.page_end, chunk.page_labels) == (5, 5, ("3",))
    spanning = [c for c in chunks if c.page_start == 4 and c.page_end == 5]
    assert spanning and spanning[0].page_labels == ("2", "3")


def test_text_is_verbatim_and_header_is_separate(fake_embedder):
    text = "Children weighing < 20 kg should receive 3 mg/kg bw per dose."
    chunks = _chunks([Block(text=text, section=("Severe malaria", "Artesunate"), page=1)], fake_embedder)
    assert [c.text for c in chunks] == [text]
    assert chunks[0].header == make_header("Test guideline", ("Severe malaria", "Artesunate"))
    assert "Severe malaria" not in chunks[0].text


def test_line_spans_map_back_to_source_lines(fake_embedder):
    lines = [f"line {i} about oral rehydration salts and zinc for diarrhoea" for i in range(1, 81)]
    chunks = _chunks([Block(text="\n".join(lines), section=("C",), line_start=101, line_end=180)], fake_embedder)
    assert len(chunks) > 2
    for chunk in chunks:
        first, last = chunk.text.splitlines()[0], chunk.text.splitlines()[-1]
        assert first == lines[chunk.line_start - 101]
        assert last == lines[chunk.line_end - 101]


def test_overlap_and_stable_ids(fake_embedder):
    blocks = [Block(text=" ".join(f"sentence{i}." for i in range(400)), section=("S",), page=1)]
    first, second = _chunks(blocks, fake_embedder), _chunks(blocks, fake_embedder)
    assert [c.chunk_id for c in first] == [c.chunk_id for c in second]
    assert len({c.chunk_id for c in first}) == len(first)
    tail_words = first[0].text.split()[-3:]
    assert all(word in first[1].text for word in tail_words)  # consecutive chunks overlap


def test_short_sibling_sections_share_one_chunk_under_the_longest_path(fake_embedder):
    drug = "ZINC sulfate oral"
    blocks = [
        Block(text="Indications\nAcute diarrhoea in children.", section=(drug, "Indications"), page=7),
        Block(text="Dosage\nChild under 6 months: 10 mg once daily for 10 days.\n"
                   "Child 6 months and over: 20 mg once daily for 10 days.", section=(drug, "Dosage"), page=7),
        Block(text="Storage\nBelow 25 °C.", section=(drug, "Storage"), page=7),
        Block(text="Remarks\nDispersible tablets.", section=(drug, "Remarks"), page=8),
        Block(text="Indications\nMild pain and fever.", section=("PARACETAMOL oral", "Indications"), page=8),
    ]
    chunks = _chunks(blocks, fake_embedder)
    # The zinc monograph's three short sections of page 7 are one chunk named by its longest part;
    # its section on the next page stays apart (page citations stay narrow), and so does the next
    # drug, which shares no parent section with it.
    assert [(c.section, c.page_start, c.page_end) for c in chunks] == [
        ((drug, "Dosage"), 7, 7), ((drug, "Remarks"), 8, 8), (("PARACETAMOL oral", "Indications"), 8, 8)]
    assert "Indications" in chunks[0].text and "Below 25 °C." in chunks[0].text
    assert drug in chunks[0].header
    apart = _chunks(blocks, fake_embedder, ChunkerParams(120, 20, 256, merge_small_sections=False))
    assert len(apart) == 5


def test_sections_too_long_together_are_not_merged(fake_embedder):
    long = "\n".join(f"Line {n}: give the dose by weight band." for n in range(30))
    blocks = [Block(text=long, section=("S", "One"), page=1), Block(text=long, section=("S", "Two"), page=2)]
    assert {c.section for c in _chunks(blocks, fake_embedder)} == {("S", "One"), ("S", "Two")}
