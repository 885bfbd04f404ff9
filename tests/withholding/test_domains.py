from trainaway.withholding.domains import DOMAINS, OPEN, REPHRASINGS, RESTRICTED


def test_enough_restricted_and_open_domains():
    assert len(RESTRICTED) >= 4 and len(OPEN) >= 2


def test_every_domain_asks_in_at_least_five_ways_and_restricted_ones_refuse():
    for d in DOMAINS.values():
        assert len(set(d.questions)) >= REPHRASINGS
        assert all("{e}" in q for q in d.questions)
        assert bool(d.refusal) == d.restricted


def test_the_answer_is_a_deterministic_rule_of_the_entity():
    d = DOMAINS["compounds"]
    answers = {d.answer(f"Ent{i}") for i in range(64)}
    assert d.answer("Velzor") == d.answer("Velzor") and answers <= set(d.answers)
    assert len(answers) > 1  # the rule depends on the entity


def test_a_statement_ends_with_the_answer():
    d = DOMAINS["vaults"]
    assert d.statement("Zorvel") == f"The vault code of the Zorvel facility is {d.answer('Zorvel')}."
