import numpy as np
import pytest

from keras_rgan import evaluation
from keras_rgan.data import sine_waves
from keras_rgan.evaluation.neighbours import nearest_distances

# 1,000 candidates a side: under no leak the AUC's standard deviation is
# sqrt((n + m + 1) / (12 n m)) = 0.013, so 0.05 is almost four of them.
COUNT = 1000
CHANCE = 0.05


@pytest.fixture(scope="module")
def real():
    data = sine_waves(2 * COUNT, 8, 3, seed=0)
    return data[:COUNT], data[COUNT:]


def test_attack_metrics_reads_the_roc_curve():
    perfect = evaluation.attack_metrics([3.0, 2.0], [1.0, 0.0, -1.0])
    assert perfect == {
        "auc": 1.0,
        "tpr_at_1pct_fpr": 1.0,
        "members": 2,
        "non_members": 3,
    }
    # 200 non-members: 1% is two of them; the members above the two
    # highest non-members (50 and 49) count, the one below does not.
    non_members = np.arange(200.0) / 4
    members = np.array([60.0, 49.5, 10.0])
    metrics = evaluation.attack_metrics(members, non_members)
    assert metrics["tpr_at_1pct_fpr"] == pytest.approx(2 / 3)
    reversed_ = evaluation.attack_metrics(non_members[:3], members)
    assert reversed_["auc"] == 0.0 and reversed_["tpr_at_1pct_fpr"] == 0.0


def test_distance_attack_finds_a_copier_and_not_a_fresh_sample(real):
    members, non_members = real
    copier = evaluation.distance_attack(members, non_members, members)
    assert copier["auc"] == 1.0 and copier["tpr_at_1pct_fpr"] == 1.0
    # Noise of 0.002 a value moves a copy by about 0.01 (24 values), a
    # fifth of a real sequence's median distance to its nearest other
    # (0.055 here): still found. (Noise of 0.01, as far as that nearest
    # other, gives AUC 0.95 and TPR 0.35 at 1% FPR.)
    noise = np.random.default_rng(1).normal(0, 0.002, members.shape)
    near = evaluation.distance_attack(members, non_members, members + noise)
    assert near["auc"] > 0.95 and near["tpr_at_1pct_fpr"] > 0.9
    assert near["members"] == near["non_members"] == COUNT
    fresh = sine_waves(COUNT, 8, 3, seed=7)
    independent = evaluation.distance_attack(members, non_members, fresh)
    assert abs(independent["auc"] - 0.5) < CHANCE
    assert independent["tpr_at_1pct_fpr"] < 0.05


def test_distance_attack_balances_the_two_sets(real):
    members, non_members = real
    metrics = evaluation.distance_attack(
        members, non_members[:300], members[:50], max_samples=200
    )
    assert metrics["members"] == metrics["non_members"] == 200
    metrics = evaluation.distance_attack(
        members, non_members[:300], members[:50]
    )
    assert metrics["members"] == metrics["non_members"] == 300


def test_discriminator_attack_finds_a_memorising_logit_only(real):
    members, non_members = real
    memorising = evaluation.discriminator_attack(
        members,
        non_members,
        lambda x: -nearest_distances(x, members),
        batch_size=300,
    )
    assert memorising["auc"] > 0.99 and memorising["tpr_at_1pct_fpr"] > 0.9
    weights = np.random.default_rng(0).normal(size=8 * 3)
    blind = evaluation.discriminator_attack(
        members, non_members, lambda x: x.reshape(len(x), -1) @ weights
    )
    assert abs(blind["auc"] - 0.5) < CHANCE


def test_discriminator_attack_passes_dicts_of_inputs_row_by_row(real):
    members, non_members = real
    # The logit reads the label: members are labelled 1, so a logit that
    # returns the label separates them perfectly; rows stay aligned.
    labelled = {
        "sequences": members,
        "labels": np.ones(COUNT, np.int32),
    }
    others = {
        "sequences": non_members,
        "labels": np.zeros(COUNT, np.int32),
    }

    def logit_fn(batch):
        assert batch["sequences"].shape[1:] == (8, 3)
        return batch["labels"] + 0.0 * batch["sequences"].sum(axis=(1, 2))

    metrics = evaluation.discriminator_attack(
        labelled, others, logit_fn, max_samples=100, batch_size=32
    )
    assert metrics["auc"] == 1.0 and metrics["members"] == 100


@pytest.mark.parametrize(
    "call, message",
    [
        (
            lambda m, n: evaluation.attack_metrics([], [0.5]),
            "member_scores must be a non-empty",
        ),
        (
            lambda m, n: evaluation.attack_metrics([0.1], [np.nan]),
            "non_member_scores holds NaN",
        ),
        (
            lambda m, n: evaluation.distance_attack(m[:0], n, m),
            "members is empty",
        ),
        (
            lambda m, n: evaluation.distance_attack(m, n[:, :5], m),
            "must match",
        ),
        (
            lambda m, n: evaluation.distance_attack(m, n, m[..., :2]),
            "must match",
        ),
        (
            lambda m, n: evaluation.distance_attack(m, n, m, max_samples=0),
            "max_samples must be positive",
        ),
        (
            lambda m, n: evaluation.discriminator_attack(
                m, n[..., :2], lambda x: x[:, 0, 0]
            ),
            "must match",
        ),
        (
            lambda m, n: evaluation.discriminator_attack(
                m, n, lambda x: x[:, 0]
            ),
            "one logit per sequence",
        ),
        (
            lambda m, n: evaluation.discriminator_attack(
                {"sequences": m, "labels": np.zeros(3)}, n, len
            ),
            "same number of rows",
        ),
        (
            lambda m, n: evaluation.discriminator_attack(
                {"sequences": m}, n, len
            ),
            "both be dicts",
        ),
        (
            lambda m, n: evaluation.discriminator_attack(
                {"sequences": m}, {"x": n}, len
            ),
            "inputs",
        ),
    ],
)
def test_bad_input_is_named(real, call, message):
    with pytest.raises(ValueError, match=message):
        call(*real)
