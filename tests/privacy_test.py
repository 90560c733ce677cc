import keras
import numpy as np
import pytest
import tensorflow as tf

import keras_rgan
from keras_rgan import losses
from keras_rgan import privacy


def linear_loss(variable):
    return lambda x: tf.reduce_sum(variable * x)


def gradients(examples, clip, noise=0.0, variable=None, seed=0):
    variable = variable or keras.Variable(tf.zeros(examples.shape[1:]))
    grads, _, share = privacy.private_gradients(
        linear_loss(variable),
        tf.constant(examples, tf.float32),
        [variable],
        l2_norm_clip=clip,
        noise_multiplier=noise,
        global_batch_size=len(examples),
        seed_generator=keras.random.SeedGenerator(seed),
    )
    return grads[0].numpy(), float(share)


def test_one_example_moves_the_update_by_at_most_twice_the_clip():
    # The gradient of example x is x itself; norms of 0.1 to 100.
    rng = np.random.default_rng(0)
    examples = rng.normal(size=(16, 10)) * np.logspace(-2, 2, 16)[:, None]
    replaced = examples.copy()
    replaced[3] = -1000.0 * examples[3]
    clip = 1.5
    update, share = gradients(examples, clip)
    other, _ = gradients(replaced, clip)
    moved = np.linalg.norm((update - other) * len(examples))
    assert 0.5 * clip < moved <= 2 * clip + 1e-5
    norms = np.linalg.norm(examples, axis=1)
    assert share == pytest.approx(np.mean(norms > clip))
    # Clipped to 1.5 each, the mean can never be longer than the clip.
    assert np.linalg.norm(update) <= clip + 1e-6


def test_a_clip_above_every_norm_and_no_noise_give_the_mean_gradient():
    discriminator = keras_rgan.LSTMDiscriminator(
        units=4, num_layers=1, unroll=True
    )
    discriminator.build((None, 6, 2))
    real = tf.random.stateless_uniform((8, 6, 2), seed=[0, 1])
    fake = tf.random.stateless_uniform((8, 6, 2), seed=[0, 2])
    epsilon = tf.random.stateless_uniform((8, 1, 1), seed=[0, 3])
    variables = discriminator.trainable_variables
    seeds = keras.random.SeedGenerator(0)

    def critic(x, training):
        return discriminator(x, training=training)

    def batch_loss(real, fake, epsilon):
        return losses.wasserstein_critic_loss(
            critic(real, True), critic(fake, True)
        ) + 10.0 * losses.gradient_penalty(critic, real, fake, epsilon)

    def example_loss(example):
        return batch_loss(*(part[None] for part in example))

    @tf.function
    def both():
        private, _, share = privacy.private_gradients(
            example_loss,
            (real, fake, epsilon),
            variables,
            l2_norm_clip=1e6,
            noise_multiplier=0.0,
            global_batch_size=8,
            seed_generator=seeds,
        )
        with tf.GradientTape() as tape:
            loss = batch_loss(real, fake, epsilon)
        return private, tape.gradient(loss, variables), share

    private, expected, share = both()
    assert float(share) == 0.0
    for got, want in zip(private, expected):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-6)


def test_noise_has_the_clip_times_the_multiplier_over_the_batch():
    zeros = np.zeros((4, 20_000))
    update, _ = gradients(zeros, clip=2.0, noise=3.0)
    assert np.std(update) == pytest.approx(2.0 * 3.0 / 4, rel=0.03)
    again, _ = gradients(zeros, clip=2.0, noise=3.0, seed=1)
    assert not np.allclose(update, again)


def test_replicas_noise_adds_up_to_one_devices(mirrored_strategy):
    with mirrored_strategy.scope():
        variable = keras.Variable(tf.zeros([20_000]))
        seeds = keras.random.SeedGenerator(0)
    examples = tf.zeros([4, 20_000])  # zero gradients: noise alone

    @tf.function
    def step():
        def replica_fn(examples):
            grads, _, _ = privacy.private_gradients(
                linear_loss(variable),
                examples,
                [variable],
                l2_norm_clip=2.0,
                noise_multiplier=3.0,
                global_batch_size=4,
                seed_generator=seeds,
            )
            return grads[0]

        dataset = tf.data.Dataset.from_tensors(examples)
        batch = next(
            iter(mirrored_strategy.experimental_distribute_dataset(dataset))
        )
        return mirrored_strategy.run(replica_fn, args=(batch,))

    per_replica = mirrored_strategy.experimental_local_results(step())
    first, second = (np.asarray(r) for r in per_replica)
    assert abs(np.corrcoef(first, second)[0, 1]) < 0.05  # independent
    total = first + second  # what Keras applies: the replicas' sum
    assert np.std(total) == pytest.approx(2.0 * 3.0 / 4, rel=0.03)


def test_epsilon_grows_with_steps_and_shrinks_with_noise():
    base = privacy.epsilon(2.0, 1000, 50, steps=100, delta=1e-5)
    assert privacy.epsilon(2.0, 1000, 50, 400, 1e-5) > base
    assert privacy.epsilon(4.0, 1000, 50, 100, 1e-5) < base
    # Five updates on each batch spend more than one.
    assert privacy.epsilon(2.0, 1000, 50, 100, 1e-5, per_batch=5) > base


def test_the_noise_for_a_target_epsilon_is_the_smallest_that_meets_it():
    sigma = privacy.noise_multiplier_for_epsilon(
        3.0, 1000, 50, steps=200, delta=1e-5, per_batch=2
    )
    assert privacy.epsilon(sigma, 1000, 50, 200, 1e-5, 2) <= 3.0
    assert privacy.epsilon(0.99 * sigma, 1000, 50, 200, 1e-5, 2) > 3.0


def test_an_epsilon_no_noise_can_meet_is_refused():
    with pytest.raises(ValueError, match="No noise multiplier up to 100"):
        privacy.noise_multiplier_for_epsilon(1e-4, 100, 100, 10_000, 1e-5)


@pytest.mark.parametrize("value", [0, -1.0, float("nan"), True, "1"])
def test_a_non_positive_clip_is_refused(value):
    with pytest.raises(ValueError, match="l2_norm_clip must be a number"):
        privacy.check_positive("l2_norm_clip", value)


def test_a_batch_larger_than_the_data_is_refused():
    with pytest.raises(ValueError, match="between 1 and the number"):
        privacy.epsilon(1.0, num_examples=10, batch_size=20, steps=1, delta=0.1)


def test_default_delta_is_below_one_over_the_data_size():
    assert privacy.default_delta(1000) < 1 / 1000
