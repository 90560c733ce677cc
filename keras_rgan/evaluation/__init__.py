"""Scores, checks and plots of synthetic sequences against real ones."""

from keras_rgan.evaluation.context_fid import context_fid_score
from keras_rgan.evaluation.context_fid import train_ts2vec_encoder
from keras_rgan.evaluation.discriminative import discriminative_score
from keras_rgan.evaluation.discriminative import discriminative_scores
from keras_rgan.evaluation.diversity import diversity_check
from keras_rgan.evaluation.membership import attack_metrics
from keras_rgan.evaluation.membership import discriminator_attack
from keras_rgan.evaluation.membership import distance_attack
from keras_rgan.evaluation.memorisation import memorisation_check
from keras_rgan.evaluation.mmd import mmd_rbf
from keras_rgan.evaluation.plots import plot_embeddings
from keras_rgan.evaluation.plots import plot_history
from keras_rgan.evaluation.plots import plot_sequences
from keras_rgan.evaluation.predictive import predictive_score
from keras_rgan.evaluation.saliency import integrated_gradients
from keras_rgan.evaluation.saliency import plot_saliency
from keras_rgan.evaluation.statistics import autocorrelation_score
from keras_rgan.evaluation.statistics import correlational_score
from keras_rgan.evaluation.statistics import marginal_score
from keras_rgan.evaluation.tstr import tstr_accuracy

__all__ = [
    "context_fid_score",
    "train_ts2vec_encoder",
    "autocorrelation_score",
    "correlational_score",
    "marginal_score",
    "discriminative_score",
    "discriminative_scores",
    "diversity_check",
    "memorisation_check",
    "attack_metrics",
    "distance_attack",
    "discriminator_attack",
    "mmd_rbf",
    "plot_embeddings",
    "plot_history",
    "plot_sequences",
    "predictive_score",
    "integrated_gradients",
    "plot_saliency",
    "tstr_accuracy",
]
