"""Each score on cases with a known answer."""

import numpy as np
import pytest

from keras_rgan import evaluation
from keras_rgan.data import sine_waves

SEQ_LEN, FEATURES = 12, 3


def sines(n, seed):
    return sine_waves(n, SEQ_LEN, FEATURES, seed=seed)


@pytest.fixture(scope="module")
def real():
    return sines(600, seed=0)


def test_discriminative_score_same_distribution_is_near_zero(real):
    score = evaluation.discriminative_score(real, sines(600, seed=1), steps=400)
    assert score < 0.1


def test_discriminative_score_noise_is_near_one_half(real):
    noise = np.random.default_rng(0).uniform(size=real.shape).astype("float32")
    score = evaluation.discriminative_score(real, noise, steps=400)
    assert score > 0.4


def test_discriminative_score_is_reproducible_by_seed(real):
    other = sines(600, seed=1) * 0.9 + 0.05
    a = evaluation.discriminative_score(real, other, steps=100, seed=3)
    b = evaluation.discriminative_score(real, other, steps=100, seed=3)
    assert a == b


def test_predictive_score_real_beats_noise(real):
    good = evaluation.predictive_score(real, sines(600, seed=1), steps=600)
    noise = np.random.default_rng(0).uniform(size=real.shape).astype("float32")
    bad = evaluation.predictive_score(real, noise, steps=600)
    assert good < bad


def test_predictive_score_of_one_feature_reads_its_own_past(real):
    one = real[..., :1]
    good = evaluation.predictive_score(
        one, sines(600, seed=1)[..., :1], steps=1000
    )
    noise = np.random.default_rng(0).uniform(size=one.shape).astype("float32")
    bad = evaluation.predictive_score(one, noise, steps=1000)
    assert good < 0.5 * bad


def test_mmd_separates_distributions(real):
    same = evaluation.mmd_rbf(real, sines(600, seed=1))["mmd2"]
    shifted = evaluation.mmd_rbf(real, sines(600, seed=1) * 0.5)["mmd2"]
    assert abs(same) < 0.01 and shifted > 0.05
    assert evaluation.mmd_rbf(real, real, bandwidth=1.0)["bandwidth"] == 1.0


def test_diversity_check_flags_a_collapsed_generator(real):
    healthy = evaluation.diversity_check(real, sines(600, seed=1))
    assert not healthy["collapsed"]
    assert 0.8 < healthy["diversity_ratio"] < 1.2 and healthy["coverage"] > 0.8
    jitter = np.random.default_rng(0).normal(scale=1e-3, size=real.shape)
    collapsed = evaluation.diversity_check(real, real[:1] + jitter)
    assert collapsed["collapsed"] and collapsed["diversity_ratio"] < 0.1


def test_memorisation_check_flags_copied_training_data():
    data = sines(900, seed=0)
    train, held_out = data[:600], data[600:]
    copied = evaluation.memorisation_check(train, held_out, train[:300])
    assert copied["memorised"] and copied["copy_share"] > 0.9
    fresh = evaluation.memorisation_check(train, held_out, sines(300, seed=7))
    assert not fresh["memorised"]
    assert 0.5 < fresh["distance_ratio"] < 2.0


def test_tstr_accuracy_beats_chance_only_with_informative_labels(real):
    labels = (real[:, -1, 0] > np.median(real[:, -1, 0])).astype(int)
    other = sines(600, seed=1)
    other_labels = (other[:, -1, 0] > np.median(real[:, -1, 0])).astype(int)
    accuracy = evaluation.tstr_accuracy(other, other_labels, real, labels, 2)
    assert accuracy > 0.8
    shuffled = np.random.default_rng(0).permutation(other_labels)
    chance = evaluation.tstr_accuracy(other, shuffled, real, labels, 2)
    assert chance < 0.7
    with pytest.raises(ValueError, match=r"must lie in \[0, 2\)"):
        evaluation.tstr_accuracy(
            other, other_labels + 1, real, labels, 2, steps=1
        )


def test_mismatched_shapes_are_named(real):
    with pytest.raises(ValueError, match="must match"):
        evaluation.discriminative_score(real, real[:, :5], steps=1)
    with pytest.raises(ValueError, match="NaN or inf"):
        evaluation.mmd_rbf(real, np.full_like(real, np.nan))
